"""A consumer-group member for the group interop tests; prints one JSON object per line.

usage: groups_member.py CLIENT BOOTSTRAP GROUP TOPIC OPTIONS_JSON
  CLIENT   confluent | kafka-python
  OPTIONS  session_timeout_ms (default 6000), instance_id (confluent: group.instance.id),
           strategy (confluent: partition.assignment.strategy), commit ("sync": commit each record
           as it is consumed; default none), client_id, max_seconds (default 120)
events:
  {"event": "assignment", "partitions": [[topic, partition], ...]}  whenever the assignment changes
  {"event": "rebalanced"}                                           each time the client's assign callback runs
  {"event": "record", "topic": ..., "partition": ..., "offset": ..., "value": ...}
  {"event": "closed"}
stdin: the line "stop" closes the consumer cleanly (a dynamic member leaves its group), then exits.
"""
import json
import sys
import threading
import time

client, bootstrap, group, topic, options = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
session_timeout_ms = options.get("session_timeout_ms", 6000)
commit_each = options.get("commit") == "sync"
deadline = time.time() + options.get("max_seconds", 120)
stop = threading.Event()


def emit(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()


def run_confluent():
    from confluent_kafka import Consumer

    config = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "client.id": options.get("client_id", "confluent-member"),
        "session.timeout.ms": session_timeout_ms,
        "heartbeat.interval.ms": max(500, session_timeout_ms // 6),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    }
    if options.get("instance_id"):
        config["group.instance.id"] = options["instance_id"]
    if options.get("strategy"):
        config["partition.assignment.strategy"] = options["strategy"]
    consumer = Consumer(config)
    consumer.subscribe([topic], on_assign=lambda c, ps: emit(event="rebalanced"))
    last = None
    while not stop.is_set() and time.time() < deadline:
        msg = consumer.poll(0.2)
        current = sorted([tp.topic, tp.partition] for tp in consumer.assignment())
        if current != last:
            last = current
            emit(event="assignment", partitions=current)
        if msg is None or msg.error():
            continue
        emit(event="record", topic=msg.topic(), partition=msg.partition(), offset=msg.offset(),
             value=msg.value().decode())
        if commit_each:
            consumer.commit(message=msg, asynchronous=False)
    consumer.close()


def run_kafka_python():
    from kafka import KafkaConsumer, TopicPartition
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.structs import OffsetAndMetadata

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            pass

        def on_partitions_assigned(self, assigned):
            emit(event="rebalanced")

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=options.get("client_id", "kafka-python-member"),
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=max(500, session_timeout_ms // 6),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    consumer.subscribe([topic], listener=Listener())
    last = None
    while not stop.is_set() and time.time() < deadline:
        batches = consumer.poll(timeout_ms=200)
        current = sorted([tp.topic, tp.partition] for tp in consumer.assignment())
        if current != last:
            last = current
            emit(event="assignment", partitions=current)
        for tp, records in batches.items():
            for r in records:
                emit(event="record", topic=r.topic, partition=r.partition, offset=r.offset, value=r.value.decode())
                if commit_each:
                    consumer.commit({TopicPartition(r.topic, r.partition): OffsetAndMetadata(r.offset + 1, None)})
    consumer.close()


if client == "confluent":
    run_confluent()
else:
    run_kafka_python()
emit(event="closed")
