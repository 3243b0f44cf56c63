"""kafka-python (2.0.2) reading partition 0 of a topic written by transactional producers.

usage: kafka_python_txn_reader.py BOOTSTRAP TOPIC
Prints one JSON object:
  read_committed_error  what KafkaConsumer(isolation_level='read_committed') raises (2.0.2 has no
                        isolation levels: it always fetches read_uncommitted), or null
  records               every record returned from the start to the log end, in order:
                        {"offset", "key", "value"} with key and value as hex (null when absent);
                        2.0.2 also returns the records of control batches (transaction markers)
  position              the consumer's position at the end
"""
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaConfigurationError

bootstrap, topic = sys.argv[1:3]
TIMEOUT = 60

try:
    KafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    read_committed_error = None
except KafkaConfigurationError as e:
    read_committed_error = str(e)

tp = TopicPartition(topic, 0)
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
end = consumer.end_offsets([tp])[tp]
records = []
deadline = time.time() + TIMEOUT
while consumer.position(tp) < end:
    if time.time() > deadline:
        raise SystemExit("position %d did not reach the end %d within %d s" % (consumer.position(tp), end, TIMEOUT))
    for batch in consumer.poll(timeout_ms=500).values():
        records.extend({"offset": r.offset,
                        "key": None if r.key is None else r.key.hex(),
                        "value": None if r.value is None else r.value.hex()} for r in batch)
position = consumer.position(tp)
consumer.close()
print(json.dumps({"read_committed_error": read_committed_error, "records": records, "position": position}))
