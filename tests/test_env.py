"""The project's `.env`: the real environment wins, and only storage credentials are exported."""

from __future__ import annotations

import os

from self_promoting_blog.env import (
    export_storage_credentials,
    layered_environment,
    project_env_file,
    project_root,
    read_env_file,
)

ENV_FILE = """\
# written by the owner
MASTODON_ACCESS_TOKEN=from-the-file
AWS_ACCESS_KEY_ID=file-key
AWS_SECRET_ACCESS_KEY="file secret"
export AWS_REGION=eu-west-3
BARE_NAME
"""


def test_the_file_is_read_and_a_missing_file_is_empty(tmp_path):
    env = tmp_path / ".env"
    assert read_env_file(env) == {}
    env.write_text(ENV_FILE)
    assert read_env_file(env) == {
        "MASTODON_ACCESS_TOKEN": "from-the-file", "AWS_ACCESS_KEY_ID": "file-key",
        "AWS_SECRET_ACCESS_KEY": "file secret", "AWS_REGION": "eu-west-3"}


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text(ENV_FILE)
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "from-the-environment")
    values = layered_environment(env)
    assert values["MASTODON_ACCESS_TOKEN"] == "from-the-environment"
    assert values["AWS_REGION"] == "eu-west-3"
    assert values["PATH"] == os.environ["PATH"]
    assert "MASTODON_ACCESS_TOKEN" not in read_env_file(tmp_path / "absent")


def test_only_storage_credentials_are_exported_and_never_over_the_environment(tmp_path,
                                                                               monkeypatch):
    env = tmp_path / ".env"
    env.write_text(ENV_FILE)
    for name in ("MASTODON_ACCESS_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        monkeypatch.setenv(name, "")  # so monkeypatch restores the test's environment after it
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "environment-key")
    export_storage_credentials(env)
    assert os.environ["AWS_ACCESS_KEY_ID"] == "environment-key"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "file secret"
    assert os.environ["AWS_REGION"] == "eu-west-3"
    assert "MASTODON_ACCESS_TOKEN" not in os.environ  # a network token stays out of child processes


def test_the_project_root_holds_output_path(tmp_path, monkeypatch):
    pelican = {"OUTPUT_PATH": str(tmp_path / "site" / "output")}
    assert project_root(pelican) == tmp_path / "site"
    assert project_env_file(pelican) == tmp_path / "site" / ".env"
    monkeypatch.chdir(tmp_path)
    assert project_root({}) == tmp_path
