"""The MCP server an AI assistant connects to: the real app (``python app.py``) spoken to with the
``mcp`` Python client over streamable HTTP, as Claude Desktop or Cursor would."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from contextlib import asynccontextmanager

import pytest
from PIL import Image

from app_server import app_server, serve_app  # noqa: F401  (fixture)
from ganlab.ui import tools

from mcp import ClientSession  # gradio[mcp] brings it (requirements.txt)
from mcp.client.streamable_http import streamablehttp_client


@asynccontextmanager
async def mcp_session(url: str):
    async with streamablehttp_client(url.rstrip("/") + "/gradio_api/mcp/") as (read, write, _):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


def run(coro):
    return asyncio.run(coro)


def call(url: str, name: str, **arguments):
    async def go():
        async with mcp_session(url) as s:
            return await s.call_tool(name, arguments)

    return run(go())


def text_of(result) -> str:
    return "\n".join(c.text for c in result.content if c.type == "text")


def json_of(result):
    assert not result.isError, text_of(result)
    return json.loads(text_of(result))


def test_the_tool_list_is_the_curated_set_each_parameter_explained(app_server):  # noqa: F811
    async def go():
        async with mcp_session(app_server.url) as s:
            return (await s.list_tools()).tools

    listed = {t.name: t for t in run(go())}
    assert set(listed) == set(tools.MCP_TOOLS) - {"restore"} | {"restore_image"}
    for tool in listed.values():
        properties = tool.inputSchema.get("properties", {})
        assert tool.description.strip(), tool.name
        for name, schema in properties.items():
            assert schema.get("description", "").strip(), f"{tool.name}({name}) has no description"


def test_generate_returns_an_image(app_server):  # noqa: F811
    result = call(app_server.url, "generate", checkpoint="digits", seed=3)
    assert not result.isError, text_of(result)
    images = [c for c in result.content if c.type == "image"]
    assert len(images) == 1
    picture = Image.open(io.BytesIO(base64.b64decode(images[0].data)))
    assert picture.width >= 8 and picture.height >= 8
    assert "http" in text_of(result)  # and a URL the client can fetch it from


def test_a_bad_checkpoint_gets_its_own_message(app_server):  # noqa: F811
    result = call(app_server.url, "generate", checkpoint="no-such-model", seed=0)
    assert result.isError
    assert "no-such-model" in text_of(result)


def test_list_checkpoints_names_the_shipped_models(app_server):  # noqa: F811
    result = call(app_server.url, "list_checkpoints", kind="stylegan")
    entries = json_of(result)
    names = {e["name"] for e in entries}
    assert {"digits-style", "mnist-style"} <= names
    assert all(e["kind"] == "stylegan" for e in entries)


def test_a_ring8_run_by_id_gets_the_preset_trains_and_stops(app_server):  # noqa: F811
    started = json_of(call(app_server.url, "start_training", dataset="ring8"))
    run_id = started["run_id"]
    assert started["status"]["total_steps"] == 12_000  # the ring-8 preset, not the digits form's 1,500
    other = json_of(call(app_server.url, "start_training", dataset="moons", seed=5))
    try:
        deadline = time.monotonic() + 60
        while True:
            status = json_of(call(app_server.url, "training_status", run_id=run_id))
            if status["step"] > 0:
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.3)
        assert status["run_id"] == run_id and status["seed"] == 0
        assert json_of(call(app_server.url, "training_status", run_id=other["run_id"]))["seed"] == 5
        samples = call(app_server.url, "training_samples", run_id=run_id)
        assert [c.type for c in samples.content].count("image") == 1, text_of(samples)
        stopped = json_of(call(app_server.url, "stop_training", run_id=run_id))
        assert stopped["state"] in ("stopped", "finished")
    finally:
        call(app_server.url, "stop_training", run_id=other["run_id"])
    unknown = call(app_server.url, "training_status", run_id="nope")
    assert unknown.isError and "no run 'nope'" in text_of(unknown)


def test_ganlab_mcp_0_turns_the_server_off(tmp_path):
    import urllib.error
    import urllib.request

    with serve_app(tmp_path, GANLAB_MCP="0") as url:
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "gradio_api/mcp/schema", timeout=10)


def test_no_listed_tool_reads_a_browser_session_state():
    """An MCP call always gets a gr.State's default, so a tool that read one would see no run."""
    import gradio as gr

    from ganlab.ui.app import build_app

    demo = build_app()
    listed = [fn for fn in demo.fns.values() if fn.api_name in tools.MCP_TOOLS]
    assert {fn.api_name for fn in listed} == set(tools.MCP_TOOLS)
    for fn in listed:
        assert not any(isinstance(i, gr.State) for i in fn.inputs), fn.api_name
