"""confluent-kafka reading what a taken-over cluster kept; prints one JSON object.

usage: takeover_check.py BOOTSTRAP MODE [ARGS...]
  configs TOPIC...               {"TOPIC": {name: value}} of the topic-level overrides (DYNAMIC_TOPIC_CONFIG)
  committed GROUP TOPIC:P...     {"TOPIC:P": offset} as the group's coordinator has them (-1001: none)
"""
import json
import sys

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource

bootstrap, mode, rest = sys.argv[1], sys.argv[2], sys.argv[3:]

if mode == "configs":
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, t) for t in rest], request_timeout=30)
    out = {}
    for resource, future in futures.items():
        entries = future.result(timeout=30)
        out[resource.name] = {k: e.value for k, e in entries.items() if e.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value}
    print(json.dumps(out))
elif mode == "committed":
    group, parts = rest[0], rest[1:]
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    wanted = [TopicPartition(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in parts]
    got = consumer.committed(wanted, timeout=30)
    print(json.dumps({f"{tp.topic}:{tp.partition}": tp.offset for tp in got}))
    consumer.close()
else:
    raise SystemExit(f"unknown mode {mode}")
