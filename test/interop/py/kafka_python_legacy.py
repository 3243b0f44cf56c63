"""kafka-python pinned to an old broker version, so it speaks the legacy
protocol: message format v0 (0.8.2/0.9) or v1 (0.10), Produce v0-v2, Fetch
v0-v3, ListOffsets v0.

usage: kafka_python_legacy.py BOOTSTRAP TOPIC API_VERSION CODEC COUNT
API_VERSION like 0.9 or 0.10.1; prints JSON with delivered and consumed records.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, version, codec, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
api_version = tuple(int(x) for x in version.split("."))
producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=api_version, acks=1,
                         compression_type=None if codec == "none" else codec, linger_ms=5)
futures = [producer.send(topic, key=("key-%d" % i).encode(), value=("value-%d" % i).encode(),
                         timestamp_ms=1_600_000_000_000 + i if api_version >= (0, 10) else None)
           for i in range(count)]
producer.flush(30)
delivered = sorted(f.get(timeout=30).offset for f in futures)
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, api_version=api_version, group_id=None,
                         auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=10000)
consumer.assign([TopicPartition(topic, 0)])
consumer.seek_to_beginning()
consumed = []
for m in consumer:
    consumed.append({"offset": m.offset, "key": m.key.decode(), "value": m.value.decode(), "timestamp": m.timestamp})
    if len(consumed) >= count:
        break
consumer.close()
print(json.dumps({"delivered": delivered, "consumed": consumed}))
