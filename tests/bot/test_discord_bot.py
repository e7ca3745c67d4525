"""Discord handlers driven offline with objects shaped like discord.py's (no gateway, no network)."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from dataclasses import dataclass, field

import discord
from discord import app_commands

from bot.transports.access import Access, Gate
from bot.transports.discord_bot import CrimecastCog, build_service
from bot.answering.engine import Engine

BOT_ID = 999
TODAY = date(2024, 1, 20)  # data through 2023-12 are fresh on this day
PING = re.compile(r"@(everyone|here)|<@[!&]?\d")


@dataclass
class Role:
    id: int


@dataclass
class Perms:
    manage_guild: bool = False
    administrator: bool = False


@dataclass
class User:
    id: int
    name: str = "officer"
    roles: list = field(default_factory=list)
    bot: bool = False
    guild_permissions: Perms = field(default_factory=Perms)


@dataclass
class Guild:
    id: int


@dataclass
class Channel:
    id: int


class Response:
    def __init__(self):
        self.deferred = False
        self.sent: list[tuple] = []

    async def defer(self, *, thinking: bool = False, ephemeral: bool = False):
        assert not self.deferred and not self.sent, "responded twice"
        self.deferred = True

    async def send_message(self, content=None, **kwargs):
        assert not self.deferred and not self.sent, "responded twice"
        self.sent.append((content, kwargs))

    def is_done(self):
        return self.deferred or bool(self.sent)


class Followup:
    def __init__(self):
        self.sent: list[tuple] = []

    async def send(self, content=None, **kwargs):
        self.sent.append((content, kwargs))


class Interaction:
    def __init__(self, user, guild=Guild(1), channel=Channel(10)):
        self.user, self.guild, self.channel = user, guild, channel
        self.channel_id = channel.id if channel else None
        self.guild_id = guild.id if guild else None
        self.response = Response()
        self.followup = Followup()


class Message:
    def __init__(self, content, author, *, guild=Guild(1), channel=Channel(10), mentions=()):
        self.content, self.author, self.guild, self.channel = content, author, guild, channel
        self.mentions = list(mentions)
        self.replies: list[tuple] = []

    async def reply(self, content=None, **kwargs):
        self.replies.append((content, kwargs))


class FakeBot:
    user = User(BOT_ID, "crimecast", bot=True)


def make_cog(r, keys, access=Access(), per_minute=100):
    engine = Engine(r, keys, today=TODAY)
    gate = Gate(r, keys, access, per_minute=per_minute)
    return CrimecastCog(FakeBot(), build_service(engine, gate)), gate


def run(coro):
    return asyncio.run(coro)


def _no_mentions(kwargs):
    am = kwargs["allowed_mentions"]
    return (
        am.everyone is False
        and am.users is False
        and am.roles is False
        and am.replied_user is False
    )


def _embed_text(embed: discord.Embed) -> str:
    d = embed.to_dict()
    return " ".join(
        [d.get("title", ""), d.get("description", ""), d.get("footer", {}).get("text", "")]
        + [f["name"] + " " + f["value"] for f in d.get("fields", [])]
    )


def test_slash_forecast_defers_then_sends_embed_and_chart(engine, with_reference):
    """/forecast defers, then follows up with the forecast embed and the chart attached."""
    r, keys = with_reference
    cog, gate = make_cog(r, keys)
    inter = Interaction(User(1))
    run(
        cog.forecast.callback(
            cog,
            inter,
            community="beltlin",
            category="car theft",
            horizon="next month",
            per_1000=False,
        )
    )
    assert inter.response.deferred
    ((content, kw),) = inter.followup.sent
    embed, file = kw["embed"], kw["file"]
    assert "BELTLINE" in embed.title and "vehicle theft" in embed.title
    assert "80% range" in _embed_text(embed) and "2023-12" in _embed_text(embed)
    assert isinstance(file, discord.File) and file.filename == "chart.png"
    assert embed.image.url == "attachment://chart.png"
    assert _no_mentions(kw)
    audit = gate.recent(1)[0]
    assert audit["transport"] == "slash" and audit["ok"] == "1" and audit["intent"] == "forecast"


def test_slash_top_with_sector_choice(engine, with_reference):
    """/top takes typed options (a Range, a sector Choice) and ranks within the sector."""
    r, keys = with_reference
    cog, _ = make_cog(r, keys)
    inter = Interaction(User(1))
    run(
        cog.top.callback(
            cog,
            inter,
            category=None,
            n=3,
            sector=app_commands.Choice(name="Centre", value="CENTRE"),
            horizon=None,
            per_1000=False,
        )
    )
    ((_, kw),) = inter.followup.sent
    assert "CENTRE sector" in kw["embed"].title and "BELTLINE" in kw["embed"].description


def test_slash_bad_option_gets_ephemeral_help(engine, with_reference):
    """An option that does not resolve gets a help reply with the closest names, no chart."""
    r, keys = with_reference
    cog, _ = make_cog(r, keys)
    inter = Interaction(User(1))
    run(cog.trend.callback(cog, inter, community="forest", category=None))
    ((_, kw),) = inter.followup.sent
    assert "FOREST LAWN" in kw["embed"].description and "file" not in kw


def test_mention_answers_in_natural_language(engine, with_reference):
    """A message mentioning the bot is answered with an embed and the chart."""
    r, keys = with_reference
    cog, gate = make_cog(r, keys)
    msg = Message(
        f"<@{BOT_ID}> top 5 communities for car theft next month", User(2), mentions=[FakeBot.user]
    )
    run(cog.on_message(msg))
    ((_, kw),) = msg.replies
    assert kw["embed"].title.startswith("Top 5 communities")
    assert kw["file"].filename == "chart.png" and _no_mentions(kw)
    assert kw["mention_author"] is False
    assert gate.recent(1)[0]["transport"] == "mention"


def test_message_not_for_the_bot_is_ignored(engine, with_reference):
    """Channel chatter that does not mention the bot gets no reply."""
    r, keys = with_reference
    cog, gate = make_cog(r, keys)
    msg = Message("forecast beltline", User(2), mentions=[User(5)])
    run(cog.on_message(msg))
    assert msg.replies == [] and gate.recent(1) == []
    bot_msg = Message(f"<@{BOT_ID}> forecast beltline", User(3, bot=True), mentions=[FakeBot.user])
    run(cog.on_message(bot_msg))
    assert bot_msg.replies == []


def test_dm_is_answered_when_unrestricted(engine, with_reference):
    """A direct message needs no mention."""
    r, keys = with_reference
    cog, _ = make_cog(r, keys)
    msg = Message("trend forest lawn", User(2), guild=None, channel=Channel(77))
    run(cog.on_message(msg))
    ((_, kw),) = msg.replies
    assert "Trend: FOREST LAWN" in kw["embed"].title


def test_outsider_is_refused(engine, with_reference):
    """Users without an allowed role, other guilds, other channels and DMs are refused."""
    r, keys = with_reference
    access = Access(guild_ids=frozenset({1}), channel_ids=frozenset({10}), role_ids=frozenset({7}))
    cog, gate = make_cog(r, keys, access)
    inter = Interaction(User(1, roles=[Role(8)]))
    run(cog.forecast.callback(cog, inter, community="beltline"))
    ((content, kw),) = inter.response.sent
    assert "limited to certain roles" in content and kw["ephemeral"] and _no_mentions(kw)
    assert not inter.response.deferred and inter.followup.sent == []
    assert gate.recent(1)[0]["outcome"] == "refused"
    for inter in (
        Interaction(User(1, roles=[Role(7)]), guild=Guild(2)),
        Interaction(User(1, roles=[Role(7)]), channel=Channel(11)),
    ):
        run(cog.status.callback(cog, inter))
        assert inter.response.sent and not inter.response.deferred
    dm = Message("forecast beltline", User(1, roles=[Role(7)]), guild=None)
    run(cog.on_message(dm))
    assert "not in direct messages" in dm.replies[0][0]
    member = Interaction(User(1, roles=[Role(7)]))
    run(cog.status.callback(cog, member))
    assert member.response.deferred and member.followup.sent


def test_rate_limit_holds(engine, with_reference):
    """After N questions in a minute the next one is refused, and other users are unaffected."""
    r, keys = with_reference
    cog, gate = make_cog(r, keys, per_minute=3)
    for _ in range(3):
        inter = Interaction(User(1))
        run(cog.status.callback(cog, inter))
        assert inter.response.deferred
    inter = Interaction(User(1))
    run(cog.status.callback(cog, inter))
    ((content, kw),) = inter.response.sent
    assert "please wait" in content and kw["ephemeral"]
    assert gate.recent(1)[0]["outcome"] == "rate_limited"
    other = Interaction(User(2))
    run(cog.status.callback(cog, other))
    assert other.response.deferred
    assert 0 < r.ttl(keys.rate_limit("1")) <= 60


def test_echoed_mentions_ping_no_one(engine, with_reference):
    """A question full of mentions gets an answer that cannot ping, sent with mentions off."""
    r, keys = with_reference
    cog, _ = make_cog(r, keys)
    msg = Message(
        f"<@{BOT_ID}> forecast @everyone <@&5> @here gotham <@123>",
        User(2),
        mentions=[FakeBot.user],
    )
    run(cog.on_message(msg))
    ((_, kw),) = msg.replies
    assert not PING.search(_embed_text(kw["embed"])) and _no_mentions(kw)
    inter = Interaction(User(1))
    run(cog.ask.callback(cog, inter, question="@everyone trend <@&1> beltline @here"))
    ((_, kw),) = inter.followup.sent
    assert not PING.search(_embed_text(kw["embed"])) and _no_mentions(kw)


def test_autocomplete_offers_25_best(engine, with_reference):
    """Community autocomplete offers at most 25 names, best match first."""
    r, keys = with_reference
    cog, _ = make_cog(r, keys)
    choices = run(cog._communities(Interaction(User(1)), "belt"))
    assert choices[0].value == "BELTLINE" and len(choices) <= 25
    many = run(cog._communities(Interaction(User(1)), ""))
    assert len(many) == 25
    cats = run(cog._categories(Interaction(User(1)), "theft"))
    assert {"Theft OF Vehicle", "Theft FROM Vehicle"} <= {c.value for c in cats}


def test_subscribe_needs_admin(engine, with_reference):
    """Only admins subscribe a channel; the subscription lands in the SubscriptionStore."""
    from workers.alerts import SubscriptionStore

    r, keys = with_reference
    cog, _ = make_cog(r, keys, Access(admin_role_ids=frozenset({50})))
    plain = Interaction(User(1, roles=[Role(8)]))
    run(cog.subscribe.callback(cog, plain, sector=None, community=None, category=None))
    ((_, kw),) = plain.followup.sent
    assert "Only admins" in kw["embed"].description
    assert SubscriptionStore(r, keys).get("10") is None
    admin = Interaction(User(2, roles=[Role(50)]))
    run(
        cog.subscribe.callback(
            cog,
            admin,
            sector=app_commands.Choice(name="Northeast", value="NORTHEAST"),
            community=None,
            category="car theft",
        )
    )
    sub = SubscriptionStore(r, keys).get("10")
    assert sub.scope == "sector" and sub.sector == "NORTHEAST"
    assert sub.categories == ["Theft OF Vehicle"]
    off = Interaction(User(2, roles=[Role(50)]))
    run(cog.unsubscribe.callback(cog, off))
    assert SubscriptionStore(r, keys).get("10") is None


def test_commands_have_typed_options():
    """The slash commands declare typed options (a bounded integer, sector choices)."""
    top = CrimecastCog.top
    params = {p.name: p for p in top.parameters}
    assert params["n"].min_value == 1 and params["n"].max_value == 25
    assert params["sector"].autocomplete  # the city's regions, from the reference data
    assert {c.name for c in CrimecastCog.__cog_app_commands__} >= {
        "forecast",
        "top",
        "trend",
        "compare",
        "explain",
        "status",
        "ask",
        "help",
        "alerts",
    }


def test_commands_register_on_a_tree():
    """The cog loads into a real client's command tree and serialises as Discord expects."""
    from bot.transports.discord_bot import CrimecastBot

    async def build():
        client = CrimecastBot(service=None)
        await client.add_cog(CrimecastCog(client, None))
        return client, [c.to_dict(client.tree) for c in client.tree.get_commands()]

    client, payload = run(build())
    by_name = {c["name"]: c for c in payload}
    forecast = {o["name"]: o for o in by_name["forecast"]["options"]}
    assert forecast["community"]["autocomplete"] is True
    assert [o["name"] for o in by_name["alerts"]["options"]] == ["subscribe", "unsubscribe"]
    assert by_name["alerts"]["default_member_permissions"] is not None
    am = client.allowed_mentions
    assert am.everyone is False and am.users is False and am.roles is False


def test_configured_admin_roles_see_the_admin_commands():
    """With admin roles configured, /alerts is not hidden behind Manage Server (the bot checks
    the roles itself); without them it stays a Manage Server command."""
    from bot.transports.discord_bot import CrimecastBot

    async def payload(admin_roles):
        client = CrimecastBot(service=None)
        await client.add_cog(CrimecastCog(client, None))
        client.show_admin_commands(admin_roles)
        return {c["name"]: c for c in (x.to_dict(client.tree) for x in client.tree.get_commands())}

    assert run(payload(frozenset({42})))["alerts"]["default_member_permissions"] is None
    assert run(payload(frozenset()))["alerts"]["default_member_permissions"] is not None


def test_region_autocomplete_offers_the_city_s_regions(engine, with_reference):
    """Region autocomplete offers the profile's region labels, and a label resolves on /top."""
    r, keys = with_reference
    cog, _ = make_cog(r, keys)
    choices = run(cog._regions(Interaction(User(1)), "north"))
    assert [c.name for c in choices] == ["NORTH sector", "NORTHEAST sector", "NORTHWEST sector"]
    inter = Interaction(User(1))
    run(
        cog.top.callback(
            cog, inter, category=None, n=3, sector=choices[1].value, horizon=None, per_1000=False
        )
    )
    ((_, kw),) = inter.followup.sent
    assert "NORTHEAST sector" in kw["embed"].title
