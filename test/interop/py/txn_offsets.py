"""A confluent-kafka consume-transform-produce loop driven step by step over stdin.

usage: txn_offsets.py BOOTSTRAP INPUT_TOPIC OUTPUT_TOPIC GROUP TRANSACTIONAL_ID
stdin, one command a line:
  round commit|abort N   consume N records of the (subscribed) input, begin a transaction, produce
                         them to the output, send_offsets_to_transaction with the consumer's group
                         metadata; print {"event": "pending", "position": P}; wait for a line
                         "go", then commit or abort; print {"event": "done", "committed": C}
                         where C is what committed() reports (read_committed: require_stable)
  quit
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, input_topic, output_topic, group, transactional_id = sys.argv[1:6]
TIMEOUT = 30


def say(obj):
    print(json.dumps(obj), flush=True)


producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id})
producer.init_transactions(TIMEOUT)
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                     "session.timeout.ms": 6000})
consumer.subscribe([input_topic])


def consume(n):
    got = []
    end = time.time() + TIMEOUT
    while len(got) < n and time.time() < end:
        m = consumer.poll(0.2)
        if m is not None and not m.error():
            got.append(m)
    if len(got) < n:
        raise RuntimeError("consumed only %d of %d records" % (len(got), n))
    return got


def run_round(outcome, n):
    records = consume(n)
    producer.begin_transaction()
    for m in records:
        producer.produce(output_topic, m.value())
    positions = consumer.position(consumer.assignment())
    producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), TIMEOUT)
    say({"event": "pending", "position": [p.offset for p in positions if p.partition == 0][0]})
    if sys.stdin.readline().strip() != "go":
        raise RuntimeError("expected go")
    if outcome == "commit":
        producer.commit_transaction(TIMEOUT)
    else:
        producer.abort_transaction(TIMEOUT)
    committed = consumer.committed([TopicPartition(input_topic, 0)], TIMEOUT)[0].offset
    say({"event": "done", "committed": committed})


for line in sys.stdin:
    words = line.split()
    if words[0] == "quit":
        break
    run_round(words[1], int(words[2]))
consumer.close()
producer.flush(TIMEOUT)
