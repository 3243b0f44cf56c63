"""confluent-kafka's admin client against a cluster; prints one JSON object.

usage: cluster_admin.py BOOTSTRAP MODE TOPIC [ARGS...]
  create TOPIC PARTITIONS RF [k=v ...]  {"error": null | [name, message]}
  delete TOPIC                          {"error": ...}
  alter TOPIC k=v                       {"error": ...} (AlterConfigs, as 1.7 has no incremental one)
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

bootstrap, mode, topic, rest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
admin = AdminClient({"bootstrap.servers": bootstrap})


def outcome(futures):
    for future in futures.values():
        try:
            future.result()
        except KafkaException as e:
            err = e.args[0]
            return [err.name(), err.str()]
    return None


def pairs(items):
    return dict(item.split("=", 1) for item in items)


if mode == "create":
    new = NewTopic(topic, int(rest[0]), int(rest[1]), config=pairs(rest[2:]))
    print(json.dumps({"error": outcome(admin.create_topics([new], operation_timeout=30))}))
elif mode == "delete":
    print(json.dumps({"error": outcome(admin.delete_topics([topic], operation_timeout=30))}))
elif mode == "alter":
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config=pairs(rest))
    print(json.dumps({"error": outcome(admin.alter_configs([resource]))}))
else:
    raise SystemExit(f"unknown mode {mode}")
