"""deploy/: the files parse, agree with each other and with the guide, and their layout serves."""

import json
import re
import shutil
import subprocess
import threading
import urllib.request

import pytest
import yaml

from finvision import export
from tests.deploy.conftest import DEPLOY, GUIDE

pytestmark = pytest.mark.xdist_group("deploy")

# The base image's entrypoint serves ${MODEL_BASE_PATH}/${MODEL_NAME}, MODEL_BASE_PATH=/models.
MODEL_BASE_PATH = "models"
PORTS = {"grpc": 8500, "http": 8501}


def dockerfile():
    """The Dockerfile's instructions as (KEYWORD, arguments), continued lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = (line.strip() for line in text.splitlines())
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def instructions(keyword):
    return [arguments for name, arguments in dockerfile() if name == keyword]


def build_args():
    return dict(argument.split("=", 1) for argument in instructions("ARG"))


def expand(text, variables):
    return re.sub(r"\$\{(\w+)\}", lambda name: variables[name[1]], text)


def served_name():
    (env,) = instructions("ENV")
    name, value = env.split("=", 1)
    assert name == "MODEL_NAME"
    return expand(value, build_args())


def compose_service():
    (service,) = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"].values()
    return service


def kubernetes():
    documents = list(yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text()))
    return {document["kind"]: document for document in documents}


def container():
    (spec,) = kubernetes()["Deployment"]["spec"]["template"]["spec"]["containers"]
    return spec


def batching():
    text = (DEPLOY / "batching.config").read_text()
    return {
        name: int(value) for name, value in re.findall(r"^(\w+) \{ value: (\d+) \}$", text, re.M)
    }


def health_script(port, name):
    """The Compose health check's bash script, aimed at `port` and model `name`."""
    test = compose_service()["healthcheck"]["test"]
    assert test[:3] == ["CMD", "bash", "-c"]
    script = test[3]
    assert f"/dev/tcp/127.0.0.1/{PORTS['http']} " in script
    assert f"GET /v1/models/{served_name()} HTTP/1.0" in script
    script = script.replace(f"/{PORTS['http']} ", f"/{port} ")
    return script.replace(f"/v1/models/{served_name()} ", f"/v1/models/{name} ")


def test_dockerfile_pins_tf_serving_and_exposes_its_ports():
    (image,) = instructions("FROM")
    assert re.fullmatch(r"tensorflow/serving:\d+\.\d+\.\d+", image)
    assert instructions("EXPOSE") == [f"{PORTS['grpc']} {PORTS['http']}"]
    assert set(build_args()) == {"EXPORT_DIR", "SERVED_MODEL", "MODEL_VERSION"}
    assert served_name() == "doc_type"
    copies = [copy.split() for copy in instructions("COPY")]
    assert ["${EXPORT_DIR}", "/models/${SERVED_MODEL}/${MODEL_VERSION}"] in copies
    (check,) = instructions("RUN")
    assert 'test -f "/models/${SERVED_MODEL}/${MODEL_VERSION}/saved_model.pb"' in check
    for source, _ in copies:
        assert source == "${EXPORT_DIR}" or (DEPLOY / source).is_file()


@pytest.mark.tensorflow_only
def test_image_layout_is_served_and_passes_the_health_checks(tmp_path, exported):
    """Replays the Dockerfile's COPY on an export, serves the result, runs the probes."""
    arguments = build_args()
    context, image = tmp_path / "context", tmp_path / "image"
    shutil.copytree(exported["image"] / "1", context / arguments["EXPORT_DIR"])
    shutil.copy(DEPLOY / "batching.config", context / "batching.config")
    for copy in instructions("COPY"):
        source, target = (expand(part, arguments) for part in copy.split())
        destination = image / target.lstrip("/")
        if (context / source).is_dir():
            shutil.copytree(context / source, destination)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(context / source, destination)
    name, version = served_name(), arguments["MODEL_VERSION"]
    assert (image / MODEL_BASE_PATH / name / version / "saved_model.pb").is_file()
    for flag in json.loads(instructions("CMD")[0]):
        if flag.startswith("--batching_parameters_file="):
            assert (image / flag.split("=", 1)[1].lstrip("/")).is_file()

    server = export.make_server(image / MODEL_BASE_PATH / name, model_name=name, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert server.version == int(version)
        probes = container()
        for probe in ("startupProbe", "readinessProbe"):
            path = probes[probe]["httpGet"]["path"]
            with urllib.request.urlopen(server.url + path, timeout=10) as answer:
                assert answer.status == 200
        port = server.server_address[1]
        passed = subprocess.run(["bash", "-c", health_script(port, name)], timeout=30)
        failed = subprocess.run(["bash", "-c", health_script(port, "other")], timeout=30)
        assert (passed.returncode, failed.returncode) == (0, 1)
    finally:
        server.shutdown()
        server.server_close()


def test_compose_builds_the_dockerfile_defaults_and_publishes_the_ports():
    service = compose_service()
    assert service["build"]["context"] == "."
    assert service["build"]["args"] == build_args()
    assert service["image"].endswith(f":{build_args()['MODEL_VERSION']}")
    assert service["ports"] == [f"{port}:{port}" for port in PORTS.values()]
    assert set(service["healthcheck"]) >= {"test", "interval", "timeout", "retries", "start_period"}


def test_kubernetes_manifest_probes_ports_resources_and_rollout():
    manifest = kubernetes()
    assert set(manifest) == {"Deployment", "Service", "PodDisruptionBudget"}
    deployment = manifest["Deployment"]["spec"]
    labels = deployment["template"]["metadata"]["labels"]
    for selector in (
        deployment["selector"]["matchLabels"],
        manifest["Service"]["spec"]["selector"],
        manifest["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
    ):
        assert selector.items() <= labels.items()
    assert deployment["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    assert manifest["PodDisruptionBudget"]["spec"]["minAvailable"] < deployment["replicas"]

    spec = container()
    ports = {port["name"]: port["containerPort"] for port in spec["ports"]}
    assert ports == PORTS
    service_ports = manifest["Service"]["spec"]["ports"]
    assert {port["targetPort"]: port["port"] for port in service_ports} == PORTS
    status_path = f"/v1/models/{served_name()}"
    for probe in ("startupProbe", "readinessProbe"):
        assert spec[probe]["httpGet"] == {"path": status_path, "port": "http"}
    assert spec["livenessProbe"]["tcpSocket"] == {"port": "grpc"}

    resources = spec["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    cpus = int(resources["limits"]["cpu"])
    assert int(resources["requests"]["cpu"]) <= cpus
    image_flags = json.loads(instructions("CMD")[0])
    assert spec["args"][: len(image_flags)] == image_flags
    threads = {f"--tensorflow_{pool}_op_parallelism={cpus}" for pool in ("intra", "inter")}
    assert threads <= set(spec["args"])
    assert batching()["num_batch_threads"] == cpus
    assert spec["image"].endswith("/" + compose_service()["image"])


def test_guide_agrees_with_the_files():
    (image,) = instructions("FROM")
    assert set(re.findall(r"tensorflow/serving:[\w.]+", GUIDE)) == {image}
    table = dict(re.findall(r"^\| `([A-Z_]+)` \| `([^`]+)` \|", GUIDE, re.M))
    assert table == build_args()
    tag = compose_service()["image"]
    assert f"docker build -t {tag} deploy" in GUIDE
    assert f"docker run --rm -p 8500:8500 -p 8501:8501 {tag}" in GUIDE
    assert container()["image"] in GUIDE
    assert set(re.findall(r"/v1/models/(\w+)", GUIDE)) == {served_name()}
    assert set(re.findall(r"(?:localhost|127\.0\.0\.1):(\d+)", GUIDE)) == {str(PORTS["http"])}
    settings = {
        name: int(value) for name, value in re.findall(r"^\| `(\w+)` \| (\d+) \|", GUIDE, re.M)
    }
    assert settings == batching()
    assert f"`max_batch_size` ({batching()['max_batch_size']})" in GUIDE
    config = re.search(r"model_config_list \{.*?\n\}\n", GUIDE, re.DOTALL)[0]
    assert f'name: "{served_name()}"' in config
    assert f'base_path: "/models/{served_name()}"' in config


def test_tf_serving_reads_the_model_config():
    """The guide's model config parses as TF Serving's ModelServerConfig (needs its API)."""
    text_format = pytest.importorskip("google.protobuf.text_format")
    config_pb2 = pytest.importorskip("tensorflow_serving.config.model_server_config_pb2")
    config = re.search(r"model_config_list \{.*?\n\}\n", GUIDE, re.DOTALL)[0]
    models = text_format.Parse(config, config_pb2.ModelServerConfig()).model_config_list.config
    assert [model.name for model in models] == [served_name()]
    assert models[0].base_path == f"/models/{served_name()}"
    assert list(models[0].model_version_policy.specific.versions) == [1]
