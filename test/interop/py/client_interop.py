"""Produce-only and consume-only runs of confluent-kafka or kafka-python, for the tests of Samsa's own client.

usage: client_interop.py produce CLIENT BOOTSTRAP TOPIC COUNT CODEC
       client_interop.py consume CLIENT BOOTSTRAP TOPIC COUNT
CLIENT is confluent or kafka-python. produce writes COUNT records: key "key-I", value "value-I"
(record 1 has a null value), header ("h", "hv-I"); prints {"delivered": COUNT}.
consume reads COUNT records from the beginning of every partition; prints
{"records": [[partition, offset, key, value, [[header, value], ...]], ...]} (null values stay null).
"""
import json
import sys
import time

mode, client, bootstrap, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])


def text(b):
    return None if b is None else b.decode()


def record_value(i):
    return None if i == 1 else ("value-%d" % i).encode()


def produce_confluent(codec):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 5, "acks": "all"})
    errors = []
    for i in range(count):
        producer.produce(topic, key=("key-%d" % i).encode(), value=record_value(i), headers=[("h", ("hv-%d" % i).encode())],
                         on_delivery=lambda err, msg: errors.append(str(err)) if err else None)
        producer.poll(0)
    producer.flush(60)
    if errors:
        raise SystemExit("delivery failed: %s" % errors[:3])


def produce_kafka_python(codec):
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type=None if codec == "none" else codec, linger_ms=5)
    futures = [producer.send(topic, key=("key-%d" % i).encode(), value=record_value(i), headers=[("h", ("hv-%d" % i).encode())])
               for i in range(count)]
    producer.flush(60)
    for f in futures:
        f.get(timeout=60)
    producer.close()


def consume_confluent():
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "client-interop", "enable.auto.commit": False})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(partitions)])
    out = []
    deadline = time.time() + 60
    while len(out) < count and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        out.append([msg.partition(), msg.offset(), text(msg.key()), text(msg.value()), [[k, text(v)] for k, v in (msg.headers() or [])]])
    consumer.close()
    return out


def consume_kafka_python():
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [0])]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    out = []
    deadline = time.time() + 60
    while len(out) < count and time.time() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for r in records:
                out.append([r.partition, r.offset, text(r.key), text(r.value), [[k, text(v)] for k, v in r.headers]])
    consumer.close()
    return out


if mode == "produce":
    codec = sys.argv[6]
    (produce_confluent if client == "confluent" else produce_kafka_python)(codec)
    print(json.dumps({"delivered": count}))
else:
    print(json.dumps({"records": consume_confluent() if client == "confluent" else consume_kafka_python()}))
