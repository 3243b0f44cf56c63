"""Many offset commits with confluent-kafka, then what the group has committed.

usage: many_commits.py BOOTSTRAP TOPIC GROUP PARTITIONS COMMITS
  commit   commits offsets 1..COMMITS for every partition 0..PARTITIONS-1 (one synchronous commit
           of all partitions each time) and prints {"committed": {"PARTITION": OFFSET, ...}}
  read     (COMMITS = 0) only prints what the group has committed
"""
import json
import sys

from confluent_kafka import Consumer, TopicPartition

bootstrap, topic, group = sys.argv[1:4]
partitions, commits = int(sys.argv[4]), int(sys.argv[5])
TIMEOUT = 30

c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
for n in range(1, commits + 1):
    c.commit(offsets=[TopicPartition(topic, p, n) for p in range(partitions)], asynchronous=False)
committed = c.committed([TopicPartition(topic, p) for p in range(partitions)], TIMEOUT)
c.close()
print(json.dumps({"committed": {str(tp.partition): tp.offset for tp in committed}}))
