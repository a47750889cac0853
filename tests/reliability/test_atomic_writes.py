"""Writes are staged and swapped in: nothing a user had is lost, mixed or half-written."""

import os
import subprocess
import sys
import textwrap

import pytest

from finvision._files import staged_output, write_bytes, write_text


def names(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_a_rival_output_that_appears_meanwhile_is_kept(tmp_path, kind):
    target = tmp_path / "model"
    with (
        pytest.raises(FileExistsError, match=f"`path` '{target}' already exists"),
        staged_output(target, overwrite=False) as staged,
    ):
        if kind == "file":
            staged.write_bytes(b"ours")
        else:
            staged.mkdir()
            (staged / "saved_model.pb").write_bytes(b"ours")
        # Another process publishes first, while this export is still writing.
        target.mkdir()
        (target / "theirs.txt").write_text("theirs")
    assert names(tmp_path) == ["model"] and names(target) == ["theirs.txt"]


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_of_two_concurrent_writers_to_a_new_path_one_gets_a_clear_error(tmp_path, kind):
    target = tmp_path / "out.bin"

    def write(staged, text):
        if kind == "file":
            staged.write_text(text)
        else:
            staged.mkdir()
            (staged / "part").write_text(text)

    with (
        pytest.raises(FileExistsError, match="pass overwrite=True"),
        staged_output(target, overwrite=False) as first,
    ):
        write(first, "first")
        with staged_output(target, overwrite=False) as second:
            write(second, "second")
    published = target if kind == "file" else target / "part"
    assert published.read_text() == "second"
    assert names(tmp_path) == ["out.bin"]


def test_an_empty_folder_is_taken_but_a_file_in_it_is_never_removed(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with staged_output(empty, overwrite=False) as staged:
        staged.write_bytes(b"model")
    assert empty.read_bytes() == b"model"

    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(FileExistsError), staged_output(folder, overwrite=False) as staged:
        staged.write_bytes(b"model")
        (folder / "notes.txt").write_text("keep me")
    assert (folder / "notes.txt").read_text() == "keep me"


def test_overwrite_keeps_the_previous_version_until_the_new_one_is_complete(tmp_path):
    target = tmp_path / "serving"
    target.mkdir()
    (target / "saved_model.pb").write_text("v1")
    with (
        pytest.raises(RuntimeError, match="converter failed"),
        staged_output(target, overwrite=True) as staged,
    ):
        staged.mkdir()
        (staged / "saved_model.pb").write_text("half of v2")
        raise RuntimeError("converter failed")
    assert names(tmp_path) == ["serving"] and (target / "saved_model.pb").read_text() == "v1"

    with staged_output(target, overwrite=True) as staged:
        staged.mkdir()
        (staged / "saved_model.pb").write_text("v2")
        assert (target / "saved_model.pb").read_text() == "v1"
    assert names(tmp_path) == ["serving"] and names(target) == ["saved_model.pb"]
    assert (target / "saved_model.pb").read_text() == "v2"


def test_an_empty_block_is_an_error_and_leaves_nothing(tmp_path):
    with (
        pytest.raises(RuntimeError, match="Nothing was written"),
        staged_output(tmp_path / "model.onnx", overwrite=False),
    ):
        pass
    assert names(tmp_path) == []


def test_staging_left_by_a_killed_process_is_removed_by_the_next_write(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(finished.stdout)
    abandoned = tmp_path / f".report.json.staging-{dead}-abc"
    abandoned.mkdir()
    (abandoned / "report.json").write_text("half")
    alive = tmp_path / f".report.json.staging-{os.getpid()}-xyz"  # another thread's write
    alive.mkdir()
    other = tmp_path / ".other.json.staging-1-abc"  # another target's
    other.mkdir()
    write_text(tmp_path / "report.json", "{}")
    assert names(tmp_path) == sorted([alive.name, other.name, "report.json"])


def test_write_bytes_replaces_a_file_and_refuses_a_folder(tmp_path):
    path = write_bytes(tmp_path / "plots" / "roc.png", b"one")
    write_bytes(path, b"two")
    assert path.read_bytes() == b"two" and names(path.parent) == ["roc.png"]
    with pytest.raises(IsADirectoryError, match=f"`path` '{tmp_path}' is a directory"):
        write_bytes(tmp_path, b"png")


KILLED_SAVE = """
import os, signal, sys
import keras
from finvision import models

model = models.load_preset(sys.argv[1])
original = keras.Model.save_weights

def save_then_die(self, path, *args, **kwargs):
    original(self, path, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # killed mid-save, after the weights

keras.Model.save_weights = save_then_die
models.save_preset(model, sys.argv[1], overwrite=True)
"""


def test_a_preset_survives_a_save_killed_midway(tmp_path):
    from finvision import models

    preset = tmp_path / "preset"
    models.save_preset(models.create_backbone("resnet18", input_shape=(32, 32, 3)), preset)
    (preset / "LICENSE").write_text("the user's file")
    before = {p.name: p.read_bytes() for p in preset.iterdir()}
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_SAVE), str(preset)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert {p.name: p.read_bytes() for p in preset.iterdir()} == before
    assert models.load_preset(preset).architecture == "resnet18"
    assert any(p.name.startswith(".preset.staging-") for p in tmp_path.iterdir())

    models.save_preset(models.load_preset(preset), preset, overwrite=True)
    assert names(tmp_path) == ["preset"]  # the killed run's staging folder is gone
    assert (preset / "LICENSE").read_text() == "the user's file"
