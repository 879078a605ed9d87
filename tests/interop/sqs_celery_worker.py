"""A real Celery 5.2 worker on the SQS emulator, for the .NET integration tests (/usr/bin/python3).

    cd tests/interop && SQS_ENDPOINT=http://127.0.0.1:9324 SQS_PREFIX=t123- \
        /usr/bin/python3 -m celery -A sqs_celery_worker worker -Q interop --pool solo
Task `interop.write(path, text)` writes text to path: the test sees the task ran, with the
arguments it published, without a result backend.
"""
import os

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

from celery import Celery  # noqa: E402
from kombu import Exchange, Queue  # noqa: E402

endpoint = os.environ.get("SQS_ENDPOINT", "http://127.0.0.1:9324")
host_port = endpoint.split("://", 1)[1].rstrip("/")
exchange = Exchange("task_exchange", type="topic")

app = Celery("sqs_celery_worker", broker="sqs://test:test@%s/" % host_port)
app.conf.update(
    broker_transport_options={"region": "us-east-1", "queue_name_prefix": os.environ["SQS_PREFIX"],
                              "is_secure": False, "wait_time_seconds": 1, "visibility_timeout": 30},
    task_default_exchange="task_exchange", task_default_exchange_type="topic",
    task_queues=[Queue("interop", exchange, routing_key="interop")],
    worker_hijack_root_logger=False,
)


@app.task(name="interop.write")
def write(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    return len(text)
