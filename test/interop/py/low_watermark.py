"""Low watermark and committed offsets of partition 0 through confluent-kafka (librdkafka).

usage: low_watermark.py BOOTSTRAP MODE TOPIC [GROUP [OFFSET]]
  watermarks  print {"low": .., "high": ..} (get_watermark_offsets)
  commit      commit OFFSET for GROUP, print {"committed": OFFSET}
  resume      consume in GROUP (auto.offset.reset=earliest), print {"first": offset of the first record}
"""
import json
import sys

from confluent_kafka import Consumer, TopicPartition

bootstrap, mode, topic = sys.argv[1], sys.argv[2], sys.argv[3]
group = sys.argv[4] if len(sys.argv) > 4 else "samsa-watermarks"
TIMEOUT = 20


def consumer():
    return Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })


c = consumer()
try:
    if mode == "watermarks":
        low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=TIMEOUT)
        print(json.dumps({"low": low, "high": high}))
    elif mode == "commit":
        offset = int(sys.argv[5])
        c.commit(offsets=[TopicPartition(topic, 0, offset)], asynchronous=False)
        print(json.dumps({"committed": c.committed([TopicPartition(topic, 0)], timeout=TIMEOUT)[0].offset}))
    elif mode == "resume":
        c.subscribe([topic])
        first = None
        for _ in range(60):
            msg = c.poll(1.0)
            if msg is not None and msg.error() is None:
                first = msg.offset()
                break
        print(json.dumps({"first": first}))
    else:
        raise SystemExit("unknown mode " + mode)
finally:
    c.close()
