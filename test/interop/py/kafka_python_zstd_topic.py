"""kafka-python 2.0.2 against a topic created with compression.type=zstd.

usage: kafka_python_zstd_topic.py BOOTSTRAP TOPIC
Creates the topic, produces 10 records (zstd), then consumes for a few
seconds. Kafka refuses kafka-python's Fetch v4 for such a topic with
UNSUPPORTED_COMPRESSION_TYPE (76), which kafka-python 2.0.2 has no class for:
it logs "Unknown error fetching data" and returns nothing. Prints JSON with the
delivered offsets, the number of records consumed and the fetcher's warnings.
"""
import json
import logging
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


warnings = Collect()
logging.getLogger("kafka.consumer.fetcher").addHandler(warnings)

admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"compression.type": "zstd"})])
admin.close()

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="zstd")
futures = [producer.send(topic, key=b"k", value=("v%d" % i).encode()) for i in range(10)]
producer.flush(30)
delivered = [f.get(timeout=30).offset for f in futures]
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                         enable_auto_commit=False, consumer_timeout_ms=3000)
consumer.assign([TopicPartition(topic, 0)])
consumed = sum(1 for _ in consumer)
consumer.close()
print(json.dumps({"delivered": delivered, "consumed": consumed, "warnings": warnings.messages}))
