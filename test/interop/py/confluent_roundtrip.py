"""confluent-kafka (librdkafka) producer and consumer against a broker.

usage: confluent_roundtrip.py BOOTSTRAP TOPIC CODEC COUNT
Produces COUNT records (keys, headers, a null and an empty value) with the
codec, reads them back from the beginning, prints JSON: delivered offsets and
what was consumed.
"""
import json
import sys

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

bootstrap, topic, codec, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 5, "acks": "all"})
delivered = []
errors = []


def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        delivered.append(msg.offset())


for i in range(count):
    value = None if i == 1 else (b"" if i == 2 else ("value-%d" % i).encode())
    producer.produce(topic, key=("key-%d" % i).encode(), value=value,
                     headers=[("h", ("hv-%d" % i).encode()), ("n", b"")], on_delivery=on_delivery)
producer.flush(30)

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "roundtrip-" + topic,
                     "auto.offset.reset": "earliest", "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
consumed = []
for _ in range(200):
    if len(consumed) >= count:
        break
    for m in consumer.consume(num_messages=1000, timeout=0.5):
        if m.error():
            errors.append(str(m.error()))
            continue
        v = m.value()
        consumed.append({
            "offset": m.offset(),
            "key": m.key().decode(),
            "value": None if v is None else v.decode(),
            "headers": [[k, None if hv is None else hv.decode()] for k, hv in (m.headers() or [])],
        })
consumer.close()
print(json.dumps({"delivered": sorted(delivered), "errors": errors, "consumed": consumed}))
