"""A deterministic, realistic dataset for the example shop (``manage.py seed_shop`` loads it).

Everything comes from one ``random.Random(seed)``, so a seed always gives the same items (for a
given ``now``: expiry times are relative to it, like real sessions). Items are built only
through the entity definitions, so their keys come from the key templates and the design
stays the single source of truth. No third-party faker: small word lists keep it pure Python,
fast (a few seconds for the default size) and stable across library upgrades.

What the default size holds, and why:

* 200 products over every category, with the unusual types an admin must render: number sets,
  binary thumbnails, a NULL attribute, prices as exact decimals.
* 2,000 users with non-sequential 8-hex-digit ids, among them two well-known records:
  ``ALICE`` (a normal customer whose orders include ``KNOWN_ORDER_ID``) and the "whale"
  ``WHALE_USER_ID`` with 5,200 orders, so that paging deep into one partition is real.
* 20,000 orders with uneven counts per user, many of them PENDING (a hot GSI2 partition).
  Every order's total is the exact sum of its lines, but line items (``OrderItem``) are written
  only for a deterministic subset, to keep the load well under a minute: every order of alice,
  the whale's 300 most recent orders, and ``LINE_ITEM_SHARE`` of the others (about 3,500 line
  items, 29,000 items in all).
* ~3,000 sessions and ~300 invitations whose TTLs straddle ``now`` (some expired but not yet
  deleted, most expiring within days), plus the deliberately broken TTLs of
  ``BROKEN_TTL_KEYS``, written raw because the TTL field would refuse them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from random import Random
from typing import Any

from .definitions import (
    CATEGORIES,
    Invitation,
    Order,
    OrderItem,
    Product,
    Session,
    User,
    shop,
)

__all__ = [
    "ALICE", "ALICE_ORDER_COUNT", "BROKEN_TTL_KEYS", "DATASET_VERSION", "DEFAULT_ORDERS",
    "DEFAULT_SEED", "DEFAULT_USERS", "KNOWN_ORDER_ID", "LINE_ITEM_SHARE", "PRODUCT_COUNT",
    "WHALE_EMAIL", "WHALE_ORDERS_WITH_LINES", "WHALE_ORDER_SHARE", "WHALE_USER_ID",
    "check_sizes", "entity_counts", "expected_whale_orders", "generate",
]

#: Bump when the generator changes, so that ``seed_shop`` loads the new dataset again.
DATASET_VERSION = 1

DEFAULT_USERS = 2000
DEFAULT_ORDERS = 20000
DEFAULT_SEED = 42

PRODUCT_COUNT = 200
#: At the default size: 5,200 orders for the whale.
WHALE_ORDER_SHARE = Decimal("0.26")
#: How many of the whale's most recent orders get their line items.
WHALE_ORDERS_WITH_LINES = 300
#: The share of other orders that get their line items.
LINE_ITEM_SHARE = 0.1
SESSIONS_PER_USER = Decimal("1.5")
INVITATIONS_PER_USER = Decimal("0.15")

ALICE: dict[str, Any] = {
    "user_id": "a11cebee",
    "email": "alice@example.com",
    "name": "Alice Liddell",
    "tier": "PRO",
}
ALICE_ORDER_COUNT = 5
KNOWN_ORDER_ID = "456"
WHALE_USER_ID = "0b5e55ed"
WHALE_EMAIL = "purchasing@megacorp.example.com"

_TTL = shop.ttl_attribute or "ttl"
_PK, _SK = shop.pk, shop.sk or "SK"

#: Items whose TTL is broken on purpose: (PK, SK, what is wrong). Always present, any size.
BROKEN_TTL_KEYS: list[tuple[str, str, str]] = [
    (f"USER#{ALICE['user_id']}", "SESSION#ttl-milliseconds",
     "ttl in epoch milliseconds, not seconds: DynamoDB never deletes it"),
    (f"USER#{ALICE['user_id']}", "SESSION#ttl-too-old",
     "ttl more than five years in the past: DynamoDB's TTL ignores it"),
    (f"USER#{ALICE['user_id']}", "SESSION#ttl-missing",
     "no ttl at all on an entity whose TTL is required"),
    ("INVITE#ttl-string", "METADATA", "ttl stored as a string, not a number"),
    ("INVITE#ttl-milliseconds", "METADATA", "ttl in epoch milliseconds, not seconds"),
]

# -- word lists ---------------------------------------------------------------------------
FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Isabella",
    "Lucas", "Mia", "Mateo", "Charlotte", "Leo", "Ava", "Hugo", "Chloé", "José", "Zoë",
    "Noémie", "Björn", "Aisha", "Omar", "Priya", "Arjun", "Mei", "Hiroshi", "Yuki", "Fatima",
    "Kwame", "Amara", "Santiago", "Valentina", "Ingrid", "Lars", "Freya", "Finn", "Niamh",
    "Seán", "Marta", "Pablo", "Lucía", "Giulia", "Marco", "Anna", "Jakub", "Zofia", "Dmitri",
    "Elena", "Tomás", "Inês", "Nadia", "Karim", "Leila", "Ravi", "Ananya", "Chen", "Wei",
    "Grace", "Samuel", "Hannah", "Daniel", "Renée", "Emil",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martin",
    "Bernard", "Dubois", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Rossi",
    "Russo", "Ferrari", "Esposito", "Núñez", "Ibáñez", "Fernández", "López", "Kowalski",
    "Nowak", "Novák", "Jansen", "de Vries", "Bakker", "Visser", "Andersson", "Johansson",
    "Nielsen", "Hansen", "O'Brien", "Murphy", "Kelly", "Walsh", "Patel", "Shah", "Khan",
    "Singh", "Kim", "Lee", "Park", "Nguyen", "Tanaka", "Suzuki", "Sato", "Okafor", "Mensah",
    "Silva", "Santos", "Costa", "Pereira", "Cohen", "Levi", "Ivanova", "Popescu",
)
# (country, currency, cities, postcode pattern: 9 = digit, A = letter)
COUNTRIES = (
    ("GB", "GBP", ("London", "Manchester", "Bristol", "Leeds", "Edinburgh", "Cardiff"), "AA9 9AA"),
    ("US", "USD", ("Portland", "Austin", "Denver", "Boston", "Chicago", "Seattle"), "99999"),
    ("DE", "EUR", ("Berlin", "Hamburg", "München", "Köln", "Leipzig"), "99999"),
    ("FR", "EUR", ("Paris", "Lyon", "Marseille", "Nantes", "Lille"), "99999"),
    ("NL", "EUR", ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"), "9999 AA"),
    ("ES", "EUR", ("Madrid", "Barcelona", "Valencia", "Sevilla"), "99999"),
    ("IE", "EUR", ("Dublin", "Cork", "Galway"), "A99 A9A9"),
)
COUNTRY_WEIGHTS = (30, 25, 15, 10, 8, 7, 5)
LANGUAGES = {"GB": "en", "US": "en", "DE": "de", "FR": "fr", "NL": "nl", "ES": "es", "IE": "en"}
STREETS = (
    "High Street", "Station Road", "Church Lane", "Elm Street", "Maple Avenue", "Oak Road",
    "Mill Lane", "Park Road", "Victoria Street", "Queen's Road", "Harbour View", "Rue de la Paix",
    "Hauptstraße", "Calle Mayor", "Kerkstraat", "Baker Street", "Sunset Boulevard",
    "Cedar Court", "Willow Way", "King's Parade",
)
ADJECTIVES = (
    "Classic", "Compact", "Deluxe", "Eco", "Ergonomic", "Essential", "Handmade", "Heavy-duty",
    "Lightweight", "Modern", "Portable", "Premium", "Rustic", "Smart", "Vintage", "Wireless",
    "Foldable", "Organic", "Pro", "Mini",
)
PRODUCT_NOUNS: dict[str, tuple[str, ...]] = {
    "books": ("Cookbook", "Novel", "Atlas", "Field Guide", "Poetry Collection", "Notebook"),
    "electronics": ("Headphones", "Charger", "Speaker", "Keyboard", "Webcam", "Power Bank"),
    "garden": ("Trowel", "Planter", "Hose", "Pruning Shears", "Bird Feeder", "Seed Kit"),
    "kitchen": ("Chef's Knife", "Skillet", "Kettle", "Cutting Board", "Teapot", "Mixing Bowl"),
    "toys": ("Puzzle", "Building Blocks", "Kite", "Plush Fox", "Train Set", "Yo-yo"),
    "sports": ("Yoga Mat", "Water Bottle", "Jump Rope", "Running Belt", "Dumbbell", "Frisbee"),
    "music": ("Ukulele", "Capo", "Metronome", "Guitar Strings", "Harmonica", "Drumsticks"),
    "office": ("Desk Lamp", "Stapler", "Fountain Pen", "Monitor Stand", "Planner", "Chair Mat"),
}
USER_TAGS = ("beta", "vip", "newsletter", "churn-risk", "b2b", "early-adopter", "support-priority")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537",
    "ShopApp/4.2.1 (iOS 17.5; iPhone15,2)",
)
ORDER_NOTES = (
    "Gift wrap, please", "Leave with a neighbour if nobody is home", "Ring twice",
    "Customer asked for an invoice by email", "Address corrected by support",
    "Delivery window 9-12 only",
)
IP_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")  # documentation ranges, never real


@dataclass
class _Person:
    user_id: str
    email: str
    name: str
    created_at: dt.datetime
    country: tuple[str, str, tuple[str, ...], str]
    street: str
    city: str
    postcode: str


def expected_whale_orders(orders: int) -> int:
    """How many orders the whale gets out of ``orders`` in total."""
    return int(orders * WHALE_ORDER_SHARE)


def check_sizes(users: int, orders: int) -> None:
    """Raise ValueError for sizes too small to hold alice, the whale and one other customer."""
    if users < 3:
        raise ValueError("users: at least 3 (alice, the whale and someone else)")
    if orders < ALICE_ORDER_COUNT + 1:
        raise ValueError(f"orders: at least {ALICE_ORDER_COUNT + 1}")


def generate(
    users: int = DEFAULT_USERS,
    orders: int = DEFAULT_ORDERS,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield every item of the dataset, each complete (keys, index keys, type attribute).

    The same ``users``, ``orders``, ``seed`` and ``now`` always give the same items in the same
    order. ``now`` defaults to the current time; TTLs and dates are relative to it.
    """
    check_sizes(users, orders)
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    now = now.astimezone(dt.UTC).replace(microsecond=0)
    return _Generator(Random(seed), users, orders, now).items()


class _Generator:
    """One pass over the dataset; all randomness flows from one ``Random`` in a fixed order."""

    def __init__(self, rng: Random, users: int, orders: int, now: dt.datetime) -> None:
        self.rng = rng
        self.users = users
        self.orders = orders
        self.now = now
        self.products: list[dict[str, Any]] = []
        self.product_weights: list[float] = []
        self.product_cumulative: list[float] = []
        self.emails: set[str] = {ALICE["email"], WHALE_EMAIL}

    # -- orchestration --------------------------------------------------------------------
    def items(self) -> Iterator[dict[str, Any]]:
        yield from self._products()
        people = self._people()
        for person in people:
            yield self._user_item(person)
        yield from self._all_orders(people)
        yield from self._sessions(people)
        yield from self._invitations(people)
        yield from self._broken_ttls(people[0])

    # -- products -------------------------------------------------------------------------
    def _products(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        ids = self._unique(lambda: "B0" + "".join(rng.choices(_ALNUM, k=8)))
        names: set[str] = set()
        for i in range(PRODUCT_COUNT):
            category = CATEGORIES[i % len(CATEGORIES)]
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(PRODUCT_NOUNS[category])}"
            if name in names:
                name = f"{name} {rng.choice('ABCDEFGHJKLMNPRSTXZ')}{rng.randint(2, 99)}"
            names.add(name)
            values: dict[str, Any] = {
                "product_id": next(ids),
                "name": name,
                "category": category,
                "price": _cents(rng.choice((99, 99, 99, 49, 0)) + 100 * rng.randint(1, 240)),
                "in_stock": rng.random() > 0.12 and i % 40 != 7,
                "version": 1,
            }
            if rng.random() < 0.3:
                values["weights_kg"] = {
                    Decimal(w) for w in rng.sample(("0.25", "0.5", "1", "1.5", "2.5", "5"), 2)
                }
            if rng.random() < 0.25:
                values["thumbnail"] = b"\x89PNG\r\n\x1a\n" + rng.randbytes(24)
            item = Product.build_item(values)
            if i % 40 == 7:
                # build_item skips None values, so a NULL attribute can only be written raw.
                item[Product._meta.fields["discontinued"].attribute] = None
            self.products.append(values)
            # Popularity follows a long tail: a few best-sellers, many slow movers.
            self.product_weights.append(1 / (1 + i % 97) ** 1.1)
            yield item
        self.product_cumulative = list(accumulate(self.product_weights))

    # -- users ----------------------------------------------------------------------------
    def _people(self) -> list[_Person]:
        """Alice first, the whale second, then everybody else (ids from the seed)."""
        rng = self.rng
        alice = self._person(ALICE["user_id"], ALICE["email"], ALICE["name"], days_ago=800)
        whale = self._person(WHALE_USER_ID, WHALE_EMAIL, "Megacorp Purchasing", days_ago=1200)
        people = [alice, whale]
        taken = {alice.user_id, whale.user_id}
        ids = self._unique(lambda: f"{rng.getrandbits(32):08x}", taken)
        for _ in range(self.users - 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = self._email(first, last)
            people.append(self._person(next(ids), email, f"{first} {last}",
                                       days_ago=int(1460 * rng.random() ** 1.3) + 1))
        return people

    def _person(self, user_id: str, email: str, name: str, days_ago: int) -> _Person:
        rng = self.rng
        country = rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
        created = self.now - dt.timedelta(days=days_ago, seconds=rng.randrange(86400))
        return _Person(
            user_id=user_id, email=email, name=name, created_at=created, country=country,
            street=f"{rng.randint(1, 240)} {rng.choice(STREETS)}", city=rng.choice(country[2]),
            postcode=_postcode(rng, country[3]),
        )

    def _email(self, first: str, last: str) -> str:
        local = f"{_ascii(first)}.{_ascii(last)}"
        while True:
            email = f"{local}{self.rng.randrange(1, 1000)}@example.com"
            if email not in self.emails:
                self.emails.add(email)
                return email

    def _user_item(self, person: _Person) -> dict[str, Any]:
        rng = self.rng
        values: dict[str, Any] = {
            "user_id": person.user_id,
            "email": person.email,
            "name": person.name,
            "tier": rng.choices(("FREE", "PRO", "ENTERPRISE"), weights=(75, 20, 5))[0],
            "created_at": person.created_at,
            "version": 1,
        }
        if person.user_id == ALICE["user_id"]:
            values["tier"] = ALICE["tier"]
            values["tags"] = {"beta", "newsletter"}
        elif person.user_id == WHALE_USER_ID:
            values["tier"] = "ENTERPRISE"
            values["tags"] = {"b2b", "vip", "support-priority"}
        elif rng.random() < 0.3:
            values["tags"] = set(rng.sample(USER_TAGS, rng.randint(1, 3)))
        if rng.random() < 0.85:
            values["marketing_opt_in"] = rng.random() < 0.4
        if rng.random() < 0.4 or person.user_id == ALICE["user_id"]:
            values["preferences"] = {
                "language": LANGUAGES[person.country[0]],
                "theme": rng.choice(("light", "dark", "system")),
                "currency": person.country[1],
                "notifications": {"email": rng.random() < 0.7, "sms": rng.random() < 0.2},
            }
        return User.build_item(values)

    # -- orders ---------------------------------------------------------------------------
    def _all_orders(self, people: Sequence[_Person]) -> Iterator[dict[str, Any]]:
        rng = self.rng
        alice, whale, others = people[0], people[1], people[2:]
        whale_count = expected_whale_orders(self.orders)
        rest = self.orders - ALICE_ORDER_COUNT - whale_count
        ids = iter(str(n) for n in rng.sample(range(100000, 1000000), self.orders - 1))
        # A heavy-tailed share per customer: most order a few times, some never, a few often.
        weights = list(accumulate(min(rng.paretovariate(1.3), 60.0) for _ in others))
        counts = [0] * len(others)
        for index in _choices(rng, weights, rest):
            counts[index] += 1

        alice_ids = [KNOWN_ORDER_ID] + [next(ids) for _ in range(ALICE_ORDER_COUNT - 1)]
        alice_ages = [9, 2, 40, 180, 420]  # order 456 was placed 9 days ago: it has shipped
        for order_id, age in zip(alice_ids, alice_ages, strict=True):
            placed = self.now - dt.timedelta(days=age, seconds=rng.randrange(86400))
            yield from self._order(alice, order_id, placed, with_lines=True,
                                   status="SHIPPED" if order_id == KNOWN_ORDER_ID else None)

        placed_whale = sorted(self._placements(whale, whale_count), reverse=True)
        for rank, placed in enumerate(placed_whale):
            yield from self._order(whale, next(ids), placed,
                                   with_lines=rank < WHALE_ORDERS_WITH_LINES)

        for person, count in zip(others, counts, strict=True):
            for placed in sorted(self._placements(person, count)):
                yield from self._order(person, next(ids), placed,
                                       with_lines=rng.random() < LINE_ITEM_SHARE)

    def _placements(self, person: _Person, count: int) -> list[dt.datetime]:
        """Order times after the account was opened, within 3 years, denser recently."""
        earliest = max(person.created_at, self.now - dt.timedelta(days=3 * 365))
        span = (self.now - earliest).total_seconds()
        rng = self.rng
        return [self.now - dt.timedelta(seconds=int(span * rng.random() ** 1.6) + 60)
                for _ in range(count)]

    def _order(self, person: _Person, order_id: str, placed: dt.datetime, *, with_lines: bool,
               status: str | None = None) -> Iterator[dict[str, Any]]:
        rng = self.rng
        lines = []
        for index in sorted(set(_choices(rng, self.product_cumulative, rng.randint(1, 3)))):
            product = self.products[index]
            lines.append({
                "order_id": order_id,
                "product_id": product["product_id"],
                "product_name": product["name"],
                "quantity": rng.choices((1, 2, 3, 5), weights=(75, 15, 7, 3))[0],
                "unit_price": product["price"],
                "currency": person.country[1],
            })
        values: dict[str, Any] = {
            "user_id": person.user_id,
            "order_id": order_id,
            "placed_on": placed.date(),
            "placed_at": placed,
            "status": status or _status(rng, self.now - placed),
            "total": sum((line["unit_price"] * line["quantity"] for line in lines), Decimal("0")),
            "currency": person.country[1],
            "item_count": len(lines),
            "version": 1,
        }
        if rng.random() < 0.92:
            values["shipping_address"] = {
                "name": person.name,
                "line1": person.street,
                "city": person.city,
                "postcode": person.postcode,
                "country": person.country[0],
            }
        if rng.random() < 0.05:
            values["notes"] = [rng.choice(ORDER_NOTES)]
        yield Order.build_item(values)
        if with_lines:
            for line in lines:
                yield OrderItem.build_item(line)

    # -- ephemeral items ------------------------------------------------------------------
    def _sessions(self, people: Sequence[_Person]) -> Iterator[dict[str, Any]]:
        rng = self.rng
        count = int(self.users * SESSIONS_PER_USER)
        # Active people have sessions; alice always has two, the whale's buyers several.
        owners = [people[0], people[0], people[1], people[1], people[1]]
        owners += rng.choices(people[2:], k=max(0, count - len(owners)))
        session_ids = self._unique(lambda: f"{rng.getrandbits(128):032x}")
        for person in owners:
            # "Remember me" sessions last 30 days, others a day: either way, created before now.
            days = 30 if rng.random() < 0.25 else 1
            expires = self._expiry(hours_before=47, days_ahead=days)
            created = max(expires - dt.timedelta(days=days), person.created_at)
            yield Session.build_item({
                "user_id": person.user_id,
                "session_id": next(session_ids),
                "created_at": created,
                "ip_address": _ip(rng),
                "user_agent": rng.choice(USER_AGENTS),
                "expires": expires,
            })

    def _invitations(self, people: Sequence[_Person]) -> Iterator[dict[str, Any]]:
        rng = self.rng
        count = int(self.users * INVITATIONS_PER_USER)
        invite_ids = self._unique(lambda: "".join(rng.choices(_ALNUM_LOWER, k=12)))
        inviters = [p for p in people if rng.random() < 0.1] or list(people[:2])
        for _ in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            yield Invitation.build_item({
                "invite_id": next(invite_ids),
                "email": f"{_ascii(first)}.{_ascii(last)}{rng.randrange(1, 1000)}@example.net",
                "invited_by": rng.choice(inviters).user_id,
                "expires": self._expiry(hours_before=40, days_ahead=7),
            })

    def _expiry(self, *, hours_before: int, days_ahead: int) -> dt.datetime:
        """A fifth already expired (DynamoDB deletes within about two days), most to come."""
        rng = self.rng
        if rng.random() < 0.2:
            return self.now - dt.timedelta(seconds=rng.randrange(60, hours_before * 3600))
        return self.now + dt.timedelta(seconds=rng.randrange(600, days_ahead * 86400))

    def _broken_ttls(self, alice: _Person) -> Iterator[dict[str, Any]]:
        """The items of BROKEN_TTL_KEYS: built valid, then given the TTL the field refuses."""
        now_s = int(self.now.timestamp())
        three_days = 3 * 86400
        broken_values: dict[tuple[str, str], Any] = {
            BROKEN_TTL_KEYS[0][:2]: Decimal((now_s + three_days) * 1000),
            BROKEN_TTL_KEYS[1][:2]: Decimal(now_s - 6 * 366 * 86400),
            BROKEN_TTL_KEYS[2][:2]: None,
            BROKEN_TTL_KEYS[3][:2]: "2025-01-01",
            BROKEN_TTL_KEYS[4][:2]: Decimal((now_s + three_days) * 1000),
        }
        for (pk, sk), ttl in broken_values.items():
            expires = self.now + dt.timedelta(days=3)
            if pk.startswith("USER#"):
                item = Session.build_item({
                    "user_id": alice.user_id,
                    "session_id": sk.removeprefix("SESSION#"),
                    "created_at": self.now - dt.timedelta(hours=2),
                    "ip_address": "192.0.2.1",
                    "user_agent": USER_AGENTS[0],
                    "expires": expires,
                })
            else:
                item = Invitation.build_item({
                    "invite_id": pk.removeprefix("INVITE#"),
                    "email": f"{pk.removeprefix('INVITE#')}@example.org",
                    "invited_by": alice.user_id,
                    "expires": expires,
                })
            if ttl is None:
                del item[_TTL]
            else:
                item[_TTL] = ttl
            assert (item[_PK], item[_SK]) == (pk, sk)
            yield item

    # -- helpers --------------------------------------------------------------------------
    def _unique(self, make: Callable[[], str], taken: set[str] | None = None) -> Iterator[str]:
        """Fresh values from ``make`` that never repeat (nor collide with ``taken``)."""
        seen = set(taken or ())
        while True:
            value = make()
            if value not in seen:
                seen.add(value)
                yield value


_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_ALNUM_LOWER = "abcdefghijkmnpqrstuvwxyz23456789"


def _cents(cents: int) -> Decimal:
    """An exact price with two decimals (``12.99``, ``5.00``)."""
    return Decimal(cents).scaleb(-2)


def _choices(rng: Random, cumulative: Sequence[float], k: int) -> list[int]:
    """``k`` indexes drawn with the given cumulative weights (fast for big populations)."""
    return rng.choices(range(len(cumulative)), cum_weights=cumulative, k=k)


def _status(rng: Random, age: dt.timedelta) -> str:
    """Recent orders are in flight; old ones delivered, but many stay PENDING (abandoned)."""
    if age < dt.timedelta(days=2):
        return rng.choices(("PENDING", "PAID"), weights=(60, 40))[0]
    if age < dt.timedelta(days=10):
        return rng.choices(("PENDING", "PAID", "SHIPPED", "CANCELLED"), weights=(25, 25, 40, 10))[0]
    return rng.choices(
        ("DELIVERED", "PENDING", "CANCELLED", "SHIPPED", "PAID"), weights=(60, 22, 12, 3, 3)
    )[0]


def _ascii(name: str) -> str:
    """``Zoë`` → ``zoe``, ``O'Brien`` → ``obrien``, ``de Vries`` → ``devries``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalnum())


def _postcode(rng: Random, pattern: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUWXYZ"
    return "".join(
        str(rng.randint(0, 9)) if c == "9" else rng.choice(letters) if c == "A" else c
        for c in pattern
    )


def _ip(rng: Random) -> str:
    if rng.random() < 0.15:
        return f"2001:db8::{rng.getrandbits(16):x}:{rng.getrandbits(16):x}"
    return f"{rng.choice(IP_PREFIXES)}{rng.randint(1, 254)}"


def entity_counts(items: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many items of each entity (``unclassified`` for none): for summaries and tests."""
    counts: dict[str, int] = {}
    for item in items:
        entity = shop.classify(item)
        name = entity._meta.name if entity else "unclassified"
        counts[name] = counts.get(name, 0) + 1
    return counts
