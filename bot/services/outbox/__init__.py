"""Messages out and deliveries in: the queue, the sender, quiet hours, and claims on inbound Slack
deliveries.
"""
