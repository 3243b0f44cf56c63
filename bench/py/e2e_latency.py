"""End-to-end latency at a fixed rate with confluent_kafka (librdkafka).

usage: e2e_latency.py BOOTSTRAP TOPIC RATE SECONDS [LINGER_MS]

A consumer (own process, assigned partition 0 from the beginning, no group) measures
now - send time for every record; the producer sends RATE records/s of 100 bytes for
SECONDS, each carrying time.time_ns() at produce() in its first 20 bytes, after one warm-up
record (acknowledged before the clock starts, skipped by the consumer). Prints one
JSON object: sent, received, rate, p50/p99/p999/max in ms. Everything bounded in time.
"""
import json
import multiprocessing as mp
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

SIZE = 100
# Sent and acknowledged before the clock starts: librdkafka can hold a new producer's first
# message for about a second (confluentinc/librdkafka#5032, also against Kafka), which would
# otherwise put a second's worth of records into the percentiles in some runs.
WARM_UP = b"warm-up"


def consume(bootstrap, topic, expected, deadline, ready, out):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "bench-latency",
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 500,
        "fetch.min.bytes": 1,
    })
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    c.poll(0.5)  # connect, fetch metadata and start fetching
    ready.set()
    lat = []
    while len(lat) < expected and time.time() < deadline:
        m = c.poll(0.1)
        if m is None or m.error() or m.value().startswith(WARM_UP):
            continue
        now = time.time_ns()
        lat.append((now - int(m.value()[:20])) / 1e6)
    c.close()
    out.put(lat)


def main():
    bootstrap, topic, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    linger = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    total = int(rate * seconds)
    ready = mp.Event()
    out = mp.Queue()
    deadline = time.time() + seconds + 30
    proc = mp.Process(target=consume, args=(bootstrap, topic, total, deadline, ready, out))
    proc.start()
    if not ready.wait(20):
        raise SystemExit("consumer not ready within 20 s")

    p = Producer({"bootstrap.servers": bootstrap, "acks": 1, "linger.ms": linger})
    p.produce(topic, value=WARM_UP)
    if p.flush(10) != 0:
        raise SystemExit("warm-up record not acknowledged within 10 s")
    pad = b"x" * (SIZE - 20)
    start = time.perf_counter()
    sent = 0
    while sent < total:
        due = start + sent / rate
        now = time.perf_counter()
        if now < due:
            time.sleep(due - now)
        p.produce(topic, value=b"%020d" % time.time_ns() + pad)
        p.poll(0)
        sent += 1
    elapsed = time.perf_counter() - start
    p.flush(30)
    lat = out.get(timeout=seconds + 40)
    proc.join(10)
    lat.sort()

    def pct(q):
        if not lat:
            return float("nan")
        return lat[min(len(lat) - 1, max(0, int(-(-q * len(lat) // 100)) - 1))]

    print(json.dumps({
        "sent": sent, "received": len(lat), "rate": sent / elapsed, "linger_ms": linger,
        "p50": pct(50), "p99": pct(99), "p999": pct(99.9), "max": lat[-1] if lat else float("nan"),
    }))


if __name__ == "__main__":
    main()
