"""kafka-python 2.0.2 producer and consumer against a broker.

usage: kafka_python_roundtrip.py BOOTSTRAP TOPIC CODEC COUNT
CODEC is none, gzip, snappy, lz4 or zstd. Prints JSON with the delivered
offsets and the consumed records. kafka-python 2.0.2 fetches with Fetch v4
and decompresses zstd batches itself: a broker refuses that fetch only for a
topic whose compression.type is zstd.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, codec, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all",
                         compression_type=None if codec == "none" else codec, linger_ms=5)
futures = []
for i in range(count):
    value = None if i == 1 else (b"" if i == 2 else ("value-%d" % i).encode())
    futures.append(producer.send(topic, key=("key-%d" % i).encode(), value=value,
                                 headers=[("h", ("hv-%d" % i).encode())]))
producer.flush(30)
delivered = sorted(f.get(timeout=30).offset for f in futures)
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                         enable_auto_commit=False, consumer_timeout_ms=10000)
partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [0])]
consumer.assign(partitions)
consumer.seek_to_beginning()
consumed = []
for m in consumer:
    consumed.append({
        "offset": m.offset,
        "key": m.key.decode(),
        "value": None if m.value is None else m.value.decode(),
        "headers": [[k, v.decode()] for k, v in m.headers],
    })
    if len(consumed) >= count:
        break
consumer.close()
print(json.dumps({"delivered": delivered, "errors": [], "consumed": consumed}))
