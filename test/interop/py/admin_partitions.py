"""Growing topics with the admin clients of confluent-kafka and kafka-python; prints one JSON object.

usage: admin_partitions.py BOOTSTRAP MODE TOPIC
  confluent     create TOPIC with 8 partitions; grow it to 12 with validate_only (stays 8), then for
                real without waiting (12); shrinking to 6 is refused. Then one request for four topics: an unknown
                one, TOPIC at its current count, TOPIC-assigned with an unknown broker, and
                TOPIC-grown (2 -> 3 on this broker) which still grows.
  kafka-python  create TOPIC with 2 partitions; grow it to 3 with validate_only (stays 2), then to
                5; shrinking to 4 is refused.
"""
import json
import sys

bootstrap, mode, topic = sys.argv[1], sys.argv[2], sys.argv[3]


def confluent():
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})

    def partitions(name):
        return len(admin.list_topics(name, timeout=10).topics[name].partitions)

    def outcome(futures):
        """Per topic: None on success, else [error name, message]."""
        result = {}
        for name, future in futures.items():
            try:
                future.result(30)
                result[name] = None
            except KafkaException as e:
                err = e.args[0]
                result[name] = [err.name(), err.str()]
        return result

    created = {topic: 8, topic + "-assigned": 1, topic + "-grown": 2}
    outcome(admin.create_topics([NewTopic(t, num_partitions=n, replication_factor=1) for t, n in created.items()]))
    node_id = next(iter(admin.list_topics(timeout=10).brokers))
    out = {}
    out["validate_only"] = outcome(admin.create_partitions([NewPartitions(topic, 12)], validate_only=True))
    out["after_validate_only"] = partitions(topic)
    # The default operation_timeout is 0 ("don't wait"): Kafka grows the topic and answers
    # REQUEST_TIMED_OUT, which librdkafka reports as success.
    out["grow"] = outcome(admin.create_partitions([NewPartitions(topic, 12)]))
    out["after_grow"] = partitions(topic)
    out["shrink"] = outcome(admin.create_partitions([NewPartitions(topic, 6)], operation_timeout=30))
    out["mixed"] = outcome(admin.create_partitions([
        NewPartitions(topic + "-missing", 3),
        NewPartitions(topic, 12),
        NewPartitions(topic + "-assigned", 3, replica_assignment=[[node_id], [node_id + 99]]),
        NewPartitions(topic + "-grown", 3, replica_assignment=[[node_id]]),
    ], operation_timeout=30))
    out["after_mixed"] = {t: partitions(t) for t in created}
    return out


def kafka_python():
    from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic
    from kafka.errors import KafkaError

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)

    def partitions():
        return len(admin.describe_topics([topic])[0]["partitions"])

    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    out = {}
    admin.create_partitions({topic: NewPartitions(total_count=3)}, validate_only=True)
    out["after_validate_only"] = partitions()
    response = admin.create_partitions({topic: NewPartitions(total_count=5)})
    out["grow"] = [list(e) for e in response.topic_errors]
    out["after_grow"] = partitions()
    try:
        admin.create_partitions({topic: NewPartitions(total_count=4)})
        out["shrink"] = None
    except KafkaError as e:
        out["shrink"] = type(e).__name__
    admin.close()
    return out


print(json.dumps(confluent() if mode == "confluent" else kafka_python()))
