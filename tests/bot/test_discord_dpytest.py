"""The message path through discord.py's own client, driven by dpytest (a fake gateway and HTTP).

Messages that mention the bot, and direct messages, go through discord.py's real event dispatch,
the real cog listener, the real ``Message.reply`` (merging the client's ``allowed_mentions``) and
the real payload builder; dpytest stands in for Discord's servers. What discord.py would send is
recorded where it builds the HTTP request (``handle_message_parameters``), because dpytest itself
keeps a sent message's files and, for a message without files, its content and embeds, but never
its ``allowed_mentions`` (dpytest 0.7 reads only the JSON payload, which discord.py 2.x moves into
the multipart body's ``payload_json`` when files are attached; so content and embeds are checked on
the recorded request, attachments on what dpytest received).

dpytest resolves a mention from the guild's member cache, which discord.py fills only with the
members intent: the tests turn member caching on in the fake state (the bot itself asks for no
privileged intent; Discord resolves mentions in the real payload).
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

import discord
import pytest

dpytest = pytest.importorskip("discord.ext.test")  # the test extra installs it

from bot.transports.access import Access, Gate
from bot.transports.discord_bot import GENERIC_ERROR, CrimecastBot, CrimecastCog, build_service
from bot.answering.engine import Engine
from stream.connection import connect

TODAY = date(2024, 1, 20)  # data through 2023-12 are fresh on this day
PING = re.compile(r"@(everyone|here)|<@[!&]?\d")
NOBODY = {"parse": [], "replied_user": False}  # AllowedMentions.none() on the wire


class Wire:
    """Every message payload discord.py builds for Discord's HTTP API, in order."""

    def __init__(self):
        self.sent: list = []

    def install(self, monkeypatch) -> None:
        real = discord.abc.handle_message_parameters

        def recording(*args, **kwargs):
            params = real(*args, **kwargs)
            self.sent.append(params)
            return params

        monkeypatch.setattr(discord.abc, "handle_message_parameters", recording)


@pytest.fixture
def wire(monkeypatch, tmp_path) -> Wire:
    """The payload recorder; dpytest writes sent attachments into the working directory, so the
    test works in its own temporary one."""
    monkeypatch.chdir(tmp_path)
    w = Wire()
    w.install(monkeypatch)
    return w


async def start_bot(
    r, keys, access: Access = Access(), per_minute: int = 100, engine: Engine | None = None
) -> CrimecastBot:
    """The production client and cog over a real engine and gate, attached to dpytest."""
    engine = engine or Engine(r, keys, today=TODAY)
    service = build_service(engine, Gate(r, keys, access, per_minute=per_minute))
    bot = CrimecastBot(service)
    await bot._async_setup_hook()
    bot._connection.member_cache_flags = discord.MemberCacheFlags.all()
    bot._connection._intents.members = True
    await bot.add_cog(CrimecastCog(bot, service))
    dpytest.configure(bot)
    return bot


def run(scenario):
    """Run one async scenario on a fresh loop, leaving dpytest's queues empty."""

    async def wrapped():
        try:
            return await scenario()
        finally:
            await dpytest.empty_queue()

    return asyncio.run(wrapped())


def body(params) -> dict:
    """The JSON discord.py sends: the payload, or with files the multipart's ``payload_json``."""
    if params.payload is not None:
        return params.payload
    (part,) = [p for p in params.multipart if p["name"] == "payload_json"]
    return json.loads(part["value"])


def within_discord_limits(sent: dict) -> None:
    """Fail unless the message fits Discord's limits (2,000 characters of content; embed title
    256, description 4096, 25 fields, field name 256 / value 1024, footer 2048, 6000 in all)."""
    assert len(sent.get("content") or "") <= 2000
    assert len(sent.get("embeds") or []) <= 10
    for d in sent.get("embeds") or []:
        assert len(d.get("title", "")) <= 256 and len(d.get("description", "")) <= 4096
        fields = d.get("fields", [])
        assert len(fields) <= 25
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
        assert len(d.get("footer", {}).get("text", "")) <= 2048
        assert len(discord.Embed.from_dict(d)) <= 6000  # discord.py counts what Discord counts


def text_of(sent: dict) -> str:
    parts = [sent.get("content") or ""]
    for d in sent.get("embeds") or []:
        parts += [d.get("title", ""), d.get("description", ""), d.get("footer", {}).get("text", "")]
        parts += [f"{f['name']} {f['value']}" for f in d.get("fields", [])]
    return " ".join(parts)


def pings_no_one(sent: dict, message: discord.Message) -> None:
    """Fail unless the text mentions no one, the request allows no mention at all, and dpytest
    found no mention in what arrived."""
    assert not PING.search(text_of(sent))
    assert sent["allowed_mentions"] == NOBODY
    assert not message.mentions and not message.role_mentions and not message.mention_everyone


def attachment_bytes(attachment: discord.Attachment) -> bytes:
    return Path(unquote(urlparse(attachment.url).path)).read_bytes()


def test_mention_gets_a_reply_with_embed_and_chart(engine, with_reference, wire):
    """A mention is answered in a reply to it: the forecast embed, the chart attached as a PNG,
    the question's author not pinged."""
    r, keys = with_reference

    async def scenario():
        bot = await start_bot(r, keys)
        asked = await dpytest.message(f"<@{bot.user.id}> forecast beltline car theft next month")
        reply = dpytest.get_message()
        assert dpytest.verify().message().nothing()
        return asked, reply

    asked, reply = run(scenario)
    (sent,) = map(body, wire.sent)
    assert sent["message_reference"]["message_id"] == asked.id
    (embed,) = sent["embeds"]
    assert "BELTLINE" in embed["title"] and "80% range" in embed["description"]
    assert embed["image"]["url"] == "attachment://chart.png"
    (chart,) = reply.attachments
    assert chart.filename == "chart.png" and attachment_bytes(chart).startswith(b"\x89PNG")
    within_discord_limits(sent)
    pings_no_one(sent, reply)


def mention(r, keys, wire, text: str):
    """The bot mentioned with ``text``: its reply, the payload sent and the payload's embed."""

    async def scenario():
        bot = await start_bot(r, keys)
        await dpytest.message(f"<@{bot.user.id}> {text}")
        return dpytest.get_message()

    reply = run(scenario)
    (sent,) = map(body, wire.sent)
    (embed,) = sent["embeds"]
    return reply, sent, embed


def test_where_is_it_running_hot_attaches_a_map(engine, with_reference, wire, seeder, slice_frame):
    """With area polygons stored and a forecast archived before December 2023, "where is it
    running hot" is answered with a map attached."""
    from shapely.geometry import box

    from stream.boundaries import store_boundaries
    from stream.forecast_archive import ForecastArchive

    r, keys = with_reference
    long = seeder.long_counts(slice_frame)
    ForecastArchive(r, keys).write(
        "2023-11", seeder.simple_forecasts(long[long["month"] <= "2023-11"], "2023-11", 3)
    )
    areas = sorted(set(r.hkeys(keys.communities)))
    store_boundaries(
        r,
        keys,
        {a: box(i % 20, i // 20, i % 20 + 1, i // 20 + 1) for i, a in enumerate(areas)},
        "test",
        "name",
    )

    reply, sent, embed = mention(r, keys, wire, "where is it running hot")
    assert embed["image"]["url"] == "attachment://map.png"
    (picture,) = reply.attachments
    assert picture.filename == "map.png" and attachment_bytes(picture).startswith(b"\x89PNG")
    within_discord_limits(sent)


def test_map_without_geometry_says_why(engine, with_reference, wire):
    """Calgary's counts carry no locations: with no boundaries loaded the answer comes without a
    picture and says why."""
    reply, sent, embed = mention(*with_reference, wire, "map break-ins in 2023")
    assert "image" not in embed and not reply.attachments
    assert any(
        f["name"] == "Map" and "crimecast reference boundaries" in f["value"]
        for f in embed.get("fields", [])
    )
    within_discord_limits(sent)


def test_channel_chatter_is_left_alone(engine, with_reference, wire):
    """A guild message that does not mention the bot gets no reply and sends nothing."""
    r, keys = with_reference

    async def scenario():
        await start_bot(r, keys)
        await dpytest.message("forecast beltline next month")
        assert dpytest.verify().message().nothing()

    run(scenario)
    assert wire.sent == []


def test_direct_message_is_answered_without_a_mention(engine, with_reference, wire):
    """In a DM the question needs no mention; the bot does not answer its own reply."""
    r, keys = with_reference

    async def scenario():
        await start_bot(r, keys)
        member = dpytest.get_config().members[0]
        dm = await member.create_dm()
        await dpytest.message("trend forest lawn", channel=dm, member=member)
        reply = dpytest.get_message()
        assert dpytest.verify().message().nothing()
        return reply

    reply = run(scenario)
    assert isinstance(reply.channel, discord.DMChannel)
    (sent,) = map(body, wire.sent)
    assert "Trend: FOREST LAWN" in sent["embeds"][0]["title"]
    within_discord_limits(sent)
    pings_no_one(sent, reply)


def test_echoed_mentions_reach_no_one(engine, with_reference, wire):
    """A question full of mentions (users, roles, everyone, here) is answered without one live
    mention in what is sent, and the request allows none."""
    r, keys = with_reference

    async def scenario():
        bot = await start_bot(r, keys)
        other = dpytest.get_config().members[0]
        await dpytest.message(
            f"<@{bot.user.id}> forecast @everyone <@&{other.id}> @here gotham "
            f"<@{other.id}> <@!{other.id}>"
        )
        return dpytest.get_message()

    reply = run(scenario)
    (sent,) = map(body, wire.sent)
    assert sent["embeds"]
    within_discord_limits(sent)
    pings_no_one(sent, reply)


def test_every_kind_of_answer_fits_discord(engine, with_reference, wire):
    """Forecasts, rankings, trends, comparisons, explanations, status, help and a 1,900-character
    question all arrive within Discord's message and embed limits."""
    r, keys = with_reference
    questions = [
        "top 25 communities next 3 months",
        "trend beltline",
        "compare beltline and forest lawn car theft",
        "explain beltline",
        "status",
        "help",
        "forecast " + " ".join(["beltline"] + ["zzqx"] * 380),
        "top 25 communities per 1000 residents",
    ]

    async def scenario():
        bot = await start_bot(r, keys)
        replies = []
        for q in questions:
            await dpytest.message(f"<@{bot.user.id}> {q}")
            replies.append(dpytest.get_message())
        return replies

    replies = run(scenario)
    assert len(replies) == len(questions) == len(wire.sent)
    sent = [body(p) for p in wire.sent]
    for reply, one in zip(replies, sent):
        assert one["embeds"]
        within_discord_limits(one)
        pings_no_one(one, reply)
    assert max(len(discord.Embed.from_dict(s["embeds"][0])) for s in sent) > 500  # a long ranking


def test_rate_limited_user_is_told_to_wait(engine, with_reference, wire):
    """Past the per-minute limit the reply says how long to wait; another user is unaffected."""
    r, keys = with_reference

    async def scenario():
        bot = await start_bot(r, keys, per_minute=2)
        first, second = dpytest.get_config().members[0], None
        for _ in range(2):
            await dpytest.message(f"<@{bot.user.id}> status", member=first)
            dpytest.get_message()
        await dpytest.message(f"<@{bot.user.id}> status", member=first)
        limited = dpytest.get_message()
        guild = dpytest.get_config().guilds[0]
        second = await dpytest.member_join(guild, name="second")
        await dpytest.message(f"<@{bot.user.id}> status", member=second)
        return limited, dpytest.get_message()

    limited, other = run(scenario)
    sent = [body(p) for p in wire.sent]
    assert [bool(s.get("embeds")) for s in sent] == [True, True, False, True]
    assert "please wait" in limited.content and "please wait" in sent[2]["content"]
    within_discord_limits(sent[2])
    pings_no_one(sent[2], limited)


def test_outsiders_are_refused(engine, with_reference, wire):
    """A channel outside the allowed ones, and a DM when access is restricted, get the refusal."""
    r, keys = with_reference

    async def scenario():
        bot = await start_bot(r, keys, access=Access(channel_ids=frozenset({1})))
        await dpytest.message(f"<@{bot.user.id}> forecast beltline")
        in_channel = dpytest.get_message()
        member = dpytest.get_config().members[0]
        dm = await member.create_dm()
        await dpytest.message("forecast beltline", channel=dm, member=member)
        return in_channel, dpytest.get_message()

    in_channel, in_dm = run(scenario)
    assert in_channel.content and not in_channel.embeds and not in_channel.attachments
    assert "not in direct messages" in in_dm.content
    for reply, params in zip((in_channel, in_dm), wire.sent):
        within_discord_limits(body(params))
        pings_no_one(body(params), reply)
    assert Gate(r, keys, Access()).recent(1)[0]["outcome"] == "refused"


def test_a_broken_backend_gets_a_plain_apology(with_reference, wire, redis_url):
    """When Redis cannot be reached the user gets the generic apology, not a traceback."""
    r, keys = with_reference
    dead = connect("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)

    async def scenario():
        bot = await start_bot(r, keys, engine=Engine(dead, keys, today=TODAY))
        await dpytest.message(f"<@{bot.user.id}> forecast beltline")
        return dpytest.get_message()

    reply = run(scenario)
    assert reply.content == GENERIC_ERROR and "Traceback" not in reply.content
    pings_no_one(body(wire.sent[0]), reply)
