"""Offset commit styles of one client against a topic holding at least 20 records in partition 0.
Each style uses its own group; prints one JSON object: style -> the offset committed() reports.

usage: groups_commits.py CLIENT BOOTSTRAP TOPIC GROUP_PREFIX
  CLIENT  confluent | kafka-python
styles:
  auto      auto-commit on, consume 10 records, wait for the commit
  sync      consume 5, synchronous commit of the position
  async     consume 7, asynchronous commit, wait for its callback
  specific  commit offset 15 of partition 0 explicitly
  seek      consume 10, seek to 3, consume one, commit that record
kafka-python also reports:
  metadata      the metadata stored with a commit of offset 12
  too_large     the error class a commit with 5000 bytes of metadata raises
"""
import json
import sys
import time

client, bootstrap, topic, prefix = sys.argv[1:5]
TIMEOUT = 30


def bounded_wait(done):
    end = time.time() + TIMEOUT
    while not done() and time.time() < end:
        time.sleep(0.05)


def confluent():
    from confluent_kafka import Consumer, TopicPartition

    tp0 = TopicPartition(topic, 0)

    def consumer(style, **extra):
        config = {"bootstrap.servers": bootstrap, "group.id": prefix + "-" + style, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "session.timeout.ms": 6000}
        config.update(extra)
        c = Consumer(config)
        c.assign([TopicPartition(topic, 0, 0)])
        return c

    def take(c, n):
        got = []
        end = time.time() + TIMEOUT
        while len(got) < n and time.time() < end:
            m = c.poll(0.2)
            if m is not None and not m.error():
                got.append(m)
        return got

    def committed(c):
        return c.committed([tp0], timeout=10)[0].offset

    out = {}
    c = consumer("auto", **{"enable.auto.commit": True, "auto.commit.interval.ms": 100})
    take(c, 10)
    bounded_wait(lambda: committed(c) == 10)
    out["auto"] = committed(c)
    c.close()

    c = consumer("sync")
    take(c, 5)
    c.commit(asynchronous=False)
    out["sync"] = committed(c)
    c.close()

    done = []
    c = consumer("async", on_commit=lambda err, partitions: done.append(err))
    take(c, 7)
    c.commit(asynchronous=True)
    # Paused, polling serves the callback without consuming (and storing) further offsets.
    c.pause([tp0])
    end = time.time() + TIMEOUT
    while not done and time.time() < end:
        c.poll(0.1)
    out["async"] = committed(c)
    out["async_error"] = None if done[0] is None else done[0].name()
    c.close()

    c = consumer("specific")
    take(c, 1)
    c.commit(offsets=[TopicPartition(topic, 0, 15)], asynchronous=False)
    out["specific"] = committed(c)
    c.close()

    c = consumer("seek")
    take(c, 10)
    c.seek(TopicPartition(topic, 0, 3))
    m = take(c, 1)[0]
    c.commit(message=m, asynchronous=False)
    out["seek"] = committed(c)
    out["seek_offset"] = m.offset()
    c.close()
    return out


def kafka_python():
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    tp0 = TopicPartition(topic, 0)

    def consumer(style, **extra):
        config = {"bootstrap_servers": bootstrap, "group_id": prefix + "-" + style, "auto_offset_reset": "earliest",
                  "enable_auto_commit": False, "session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}
        config.update(extra)
        c = KafkaConsumer(topic, **config)
        end = time.time() + TIMEOUT
        while not c.assignment() and time.time() < end:
            c.poll(timeout_ms=100, max_records=1)
        c.seek(tp0, 0)
        return c

    def idle(c):
        # poll() runs the client's coordinator work (auto-commit, callbacks); paused, it returns no records.
        c.pause(tp0)
        c.poll(timeout_ms=50)
        return True

    def take(c, n):
        got = []
        end = time.time() + TIMEOUT
        while len(got) < n and time.time() < end:
            for records in c.poll(timeout_ms=200, max_records=n - len(got)).values():
                got.extend(records)
        return got

    out = {}
    c = consumer("auto", enable_auto_commit=True, auto_commit_interval_ms=100)
    take(c, 10)
    bounded_wait(lambda: idle(c) and (c.committed(tp0) or 0) >= 10)
    out["auto"] = c.committed(tp0)
    c.close(autocommit=False)

    c = consumer("sync")
    take(c, 5)
    c.commit()
    out["sync"] = c.committed(tp0)
    c.close(autocommit=False)

    done = []
    c = consumer("async")
    take(c, 7)
    c.commit_async(callback=lambda offsets, response: done.append(response))
    end = time.time() + TIMEOUT
    while not done and time.time() < end:
        idle(c)
    out["async"] = c.committed(tp0)
    out["async_error"] = None if not isinstance(done[0], Exception) else type(done[0]).__name__
    c.close(autocommit=False)

    c = consumer("specific")
    c.commit({tp0: OffsetAndMetadata(15, None)})
    out["specific"] = c.committed(tp0)
    c.commit({tp0: OffsetAndMetadata(12, "kafka-python-meta")})
    out["metadata"] = c.committed(tp0, metadata=True).metadata
    try:
        c.commit({tp0: OffsetAndMetadata(1, "x" * 5000)})
        out["too_large"] = None
    except Exception as e:  # kafka.errors.OffsetMetadataTooLargeError
        out["too_large"] = type(e).__name__
    out["after_too_large"] = c.committed(tp0)
    c.close(autocommit=False)

    c = consumer("seek")
    take(c, 10)
    c.seek(tp0, 3)
    r = take(c, 1)[0]
    c.commit({tp0: OffsetAndMetadata(r.offset + 1, None)})
    out["seek"] = c.committed(tp0)
    out["seek_offset"] = r.offset
    c.close(autocommit=False)
    return out


print(json.dumps(confluent() if client == "confluent" else kafka_python()))
