"""Reads every partition of a topic from the start to its end with a confluent-kafka consumer.

usage: read_topic.py BOOTSTRAP TOPIC ISOLATION_LEVEL
Prints one JSON object: {"PARTITION": {"offsets": [...], "values": [...], "position": P}, ...} where
offsets and values are the records returned in order and position is the consumer's position once
it reached the end of the partition (for read_committed: the last stable offset).
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

bootstrap, topic, isolation = sys.argv[1:4]
TIMEOUT = 60

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "read-topic-" + isolation,
                     "isolation.level": isolation, "enable.auto.commit": False,
                     "enable.partition.eof": True})
partitions = sorted(consumer.list_topics(topic, TIMEOUT).topics[topic].partitions)
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
result = {p: {"offsets": [], "values": []} for p in partitions}
at_end = set()
deadline = time.time() + TIMEOUT
while len(at_end) < len(partitions):
    if time.time() > deadline:
        raise SystemExit("partitions %s did not reach their end within %d s" % (sorted(set(partitions) - at_end), TIMEOUT))
    m = consumer.poll(0.5)
    if m is None:
        continue
    if m.error():
        if m.error().code() != KafkaError._PARTITION_EOF:
            raise KafkaException(m.error())
        at_end.add(m.partition())
        continue
    at_end.discard(m.partition())
    result[m.partition()]["offsets"].append(m.offset())
    result[m.partition()]["values"].append(m.value().decode())
for tp in consumer.position([TopicPartition(topic, p) for p in partitions]):
    result[tp.partition]["position"] = tp.offset
consumer.close()
print(json.dumps(result))
