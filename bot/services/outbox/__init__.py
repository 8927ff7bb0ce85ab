"""Messages out and deliveries in: the queue, delivery (``send_now``) and the reconciliation
of unsure posts, the sender (``sender_for``), on-sent hooks by message kind, quiet hours,
and claims on inbound Slack deliveries. It knows message kinds, never the domains that
queue them.
"""
