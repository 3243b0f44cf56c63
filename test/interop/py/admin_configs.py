"""Config admin through confluent-kafka (librdkafka) or kafka-python, driven by a JSON list of actions.

usage: admin_configs.py BOOTSTRAP CLIENT ACTIONS_JSON
  CLIENT   confluent | kafka-python
  ACTIONS  [{"op": "describe", "type": "topic"|"broker", "name": N, "keys": [..]?},
            {"op": "alter", "resources": [{"type": .., "name": N, "configs": {k: v}}], "validate_only": bool?}]
Prints one JSON list: per describe {name: {value, source, read_only, sensitive, synonyms}} or
{"error": ...}; per alter a list with {"error": None or its name, "message": ...} per resource.
"""
import json
import sys

bootstrap, client, actions = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])


def run_confluent():
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, ConfigResource

    admin = AdminClient({"bootstrap.servers": bootstrap})
    out = []
    for a in actions:
        try:
            if a["op"] == "describe":
                res = ConfigResource(a["type"], a["name"])
                entries = list(admin.describe_configs([res], request_timeout=20).values())[0].result()
                keys = a.get("keys")
                out.append({
                    name: {
                        "value": e.value,
                        "source": e.source,
                        "read_only": e.is_read_only,
                        "sensitive": e.is_sensitive,
                        "synonyms": [[s.name, s.value, s.source] for s in e.synonyms.values()],
                    }
                    for name, e in entries.items() if not keys or name in keys
                })
            else:
                resources = [ConfigResource(r["type"], r["name"], set_config=r["configs"]) for r in a["resources"]]
                futures = admin.alter_configs(resources, validate_only=a.get("validate_only", False), request_timeout=20)
                out.append([outcome(futures[r]) for r in resources])
        except KafkaException as e:
            out.append(error_of(e))
    return out


def error_of(e):
    err = e.args[0]
    return {"error": err.name(), "message": err.str()}


def outcome(future):
    from confluent_kafka import KafkaException
    try:
        future.result()
        return {"error": None}
    except KafkaException as e:
        return error_of(e)


def run_kafka_python():
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20000)
    kinds = {"topic": ConfigResourceType.TOPIC, "broker": ConfigResourceType.BROKER}
    out = []
    for a in actions:
        if a["op"] == "describe":
            (resp,) = admin.describe_configs([ConfigResource(kinds[a["type"]], a["name"])])
            (result,) = resp.resources
            code, message = result[0], result[1]
            if code != 0:
                out.append({"error": code, "message": message})
                continue
            keys = a.get("keys")
            # kafka-python sends DescribeConfigs v2: name, value, read_only, config_source, is_sensitive, synonyms
            out.append({e[0]: {"value": e[1], "read_only": e[2], "source": e[3], "sensitive": e[4]}
                        for e in result[4] if not keys or e[0] in keys})
        else:
            resp = admin.alter_configs([ConfigResource(kinds[r["type"]], r["name"], configs=r["configs"])
                                        for r in a["resources"]])
            out.append([{"error": r[0] or None, "message": r[1]} for r in resp.resources])
    admin.close()
    return out


print(json.dumps(run_confluent() if client == "confluent" else run_kafka_python()))
