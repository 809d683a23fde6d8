"""One table, six entities: the single-table design from the seeds.

The key templates below are the whole design; in short (PK / SK, then index keys):

- User: ``USER#<user_id>`` / ``METADATA``; GSI1 ``USER#EMAIL#<email>``; GSI2 ``USER#NAMES`` /
  ``NAME#<name, lower case>#<user_id>`` (people by the beginning of their name)
- Order: ``USER#<user_id>`` / ``ORDER#<placed_on>#<order_id>``; GSI1 ``ORDER#<order_id>``;
  GSI2 ``ORDER#STATUS#<status>`` / ``ORDER#<placed_at>`` (orders by status, newest first)
- OrderItem: ``ORDER#<order_id>`` / ``ITEM#<product_id>``; GSI1 ``PRODUCT#<product_id>``
- Product: ``PRODUCT#<product_id>`` / ``METADATA``; GSI1 ``PRODUCT#CATEGORY#<category>``
- Session: ``USER#<user_id>`` / ``SESSION#<session_id>``, expires through TTL
- Invitation: ``INVITE#<invite_id>`` / ``METADATA``; GSI1 ``INVITE#EMAIL#<email>``, TTL
"""

from datetime import timedelta

from dynadmin import Entity, Key, Table, fields

shop = Table(
    "Application",
    pk="PK",
    sk="SK",
    indexes={"GSI1": ("GSI1PK", "GSI1SK"), "GSI2": ("GSI2PK", "GSI2SK")},
    ttl_attribute="ttl",
    type_attribute="type",
)

ORDER_STATUSES = ("PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")
#: the statuses as a support person says them ("Orders by status: Paid")
STATUS_LABELS = {status: status.capitalize() for status in ORDER_STATUSES}
CURRENCIES = ("EUR", "USD", "GBP")
CATEGORIES = ("books", "electronics", "garden", "kitchen", "toys", "sports", "music", "office")


class User(Entity, table=shop, label="{name} · {email}"):
    keys = Key(pk="USER#{user_id}", sk="METADATA")
    by_email = Key("GSI1", pk="USER#EMAIL#{email}", sk="USER#{user_id}")
    # Support staff know a customer by name: "ali" finds Alice Liddell with one begins_with
    # Query. One partition for every name suits the few writes a user's name gets; a table
    # whose names change often would shard it (USER#NAMES#<first letter>).
    by_name = Key("GSI2", pk="USER#NAMES", sk="NAME#{name:lower}#{user_id}")

    user_id = fields.String(required=True)
    email = fields.Email(required=True)
    name = fields.String()
    tier = fields.Choice("FREE", "PRO", "ENTERPRISE", default="FREE")
    created_at = fields.DateTime()
    marketing_opt_in = fields.Boolean()
    tags = fields.StringSet()
    preferences = fields.Map()
    version = fields.Version()


class Order(Entity, table=shop, label="Order {order_id} · {placed_on}"):
    keys = Key(pk="USER#{user_id}", sk="ORDER#{placed_on}#{order_id}")
    by_id = Key("GSI1", pk="ORDER#{order_id}", sk="USER#{user_id}")
    by_status = Key("GSI2", pk="ORDER#STATUS#{status}",
                    sk="ORDER#{placed_at:%Y-%m-%dT%H:%M:%S+00:00}")

    user_id = fields.String(required=True)
    order_id = fields.String(required=True)
    placed_on = fields.Date(required=True)
    placed_at = fields.DateTime(required=True)
    status = fields.Choice(*ORDER_STATUSES, labels=STATUS_LABELS, required=True)
    total = fields.Number(required=True, places=2, currency_field="currency")
    currency = fields.Choice(*CURRENCIES)
    item_count = fields.Integer()
    shipping_address = fields.Map(fields={
        "name": fields.String(label="Recipient"),
        "line1": fields.String(label="Address line 1"),
        "line2": fields.String(label="Address line 2"),
        "city": fields.String(),
        "postcode": fields.String(),
        "country": fields.String(),
    })
    notes = fields.List(member=fields.String())
    version = fields.Version()


class OrderItem(Entity, table=shop, type_value="order_item", verbose_name="Order item",
                label="{quantity} × {product_name}"):
    keys = Key(pk="ORDER#{order_id}", sk="ITEM#{product_id}")
    by_product = Key("GSI1", pk="PRODUCT#{product_id}", sk="ORDER#{order_id}")

    order_id = fields.String(required=True)
    product_id = fields.String(required=True)
    quantity = fields.Integer(required=True)
    # A line is priced in its order's currency, copied onto the line when it is written.
    unit_price = fields.Number(required=True, places=2, currency_field="currency")
    currency = fields.Choice(*CURRENCIES)
    product_name = fields.String()


class Product(Entity, table=shop, label="{name}"):
    keys = Key(pk="PRODUCT#{product_id}", sk="METADATA")
    by_category = Key("GSI1", pk="PRODUCT#CATEGORY#{category}", sk="PRODUCT#{product_id}")

    product_id = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.Choice(*CATEGORIES, required=True)
    price = fields.Number(required=True, places=2)
    in_stock = fields.Boolean()
    weights_kg = fields.NumberSet()
    thumbnail = fields.Binary()
    discontinued = fields.Null()
    version = fields.Version()


class Session(Entity, table=shop, ttl="required", default_lifetime=timedelta(days=1),
              label="Session {session_id:.12} · {created_at:%Y-%m-%d %H:%M} · {ip_address}"):
    keys = Key(pk="USER#{user_id}", sk="SESSION#{session_id}")

    user_id = fields.String(required=True)
    session_id = fields.String(required=True)
    created_at = fields.DateTime()
    ip_address = fields.String()
    user_agent = fields.String()
    expires = fields.TTL(attribute="ttl")


class Invitation(Entity, table=shop, ttl="required", default_lifetime=timedelta(days=7),
                 label="Invitation for {email}"):
    keys = Key(pk="INVITE#{invite_id}", sk="METADATA")
    by_email = Key("GSI1", pk="INVITE#EMAIL#{email}", sk="INVITE#{invite_id}")

    invite_id = fields.String(required=True)
    email = fields.Email(required=True)
    invited_by = fields.String()
    expires = fields.TTL(attribute="ttl")
