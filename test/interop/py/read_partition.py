"""Reads one partition from its start to its end with kafka-python; prints the records as JSON.
kafka-python 2.0.2 has no isolation level: it reads uncommitted, skipping control batches.

usage: read_partition.py BOOTSTRAP TOPIC PARTITION
Prints {"records": [[offset, key, value or null], ...], "position": the position after the last record}.
"""
import json
import sys

from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, partition = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                         consumer_timeout_ms=5000, request_timeout_ms=30000)
tp = TopicPartition(topic, partition)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
end = consumer.end_offsets([tp])[tp]
records = []
while consumer.position(tp) < end:
    batch = consumer.poll(timeout_ms=5000)
    if not batch:
        break
    for r in batch.get(tp, []):
        records.append([r.offset, r.key.decode() if r.key is not None else None,
                        r.value.decode() if r.value is not None else None])
print(json.dumps({"records": records, "position": consumer.position(tp)}))
consumer.close()
