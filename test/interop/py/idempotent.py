"""confluent-kafka idempotent producer (enable.idempotence=true).

usage: idempotent.py BOOTSTRAP MODE TOPIC COUNT
  burst     produce COUNT records (values "0".."COUNT-1") as fast as possible, flush;
            prints one JSON object: delivered count, errors, delivered offsets in order of delivery
  steady    produce COUNT records in small rounds, printing "acked N" lines as deliveries arrive
            (the test kills and restarts the broker meanwhile; retries run until message.timeout.ms),
            then one JSON object like burst
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, mode, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
config = {"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5}
if mode == "steady":
    config.update({"message.timeout.ms": 120000, "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500})
producer = Producer(config)
delivered = []
errors = []


def on_delivery(err, msg):
    if err is not None:
        errors.append(err.name())
    else:
        delivered.append(msg.offset())
        if mode == "steady" and len(delivered) % 500 == 0:
            sys.stdout.write("acked %d\n" % len(delivered))
            sys.stdout.flush()


for i in range(count):
    while True:
        try:
            producer.produce(topic, value=str(i).encode(), on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.05)
    if mode == "steady" and i % 100 == 99:
        producer.poll(0.01)
    else:
        producer.poll(0)
left = producer.flush(150)
print(json.dumps({"delivered": len(delivered), "undelivered": left, "errors": sorted(set(errors)), "offsets": delivered}))
