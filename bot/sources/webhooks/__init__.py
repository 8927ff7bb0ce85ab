"""Webhooks from Stripe, Zendesk and Intercom: verify, queue by event id, import in batches.

* :mod:`.signatures` checks each source's signature on the raw bytes (nothing parsed first);
* :mod:`.events` reads the event id and type from a verified body;
* :mod:`.inbox` queues deliveries idempotently and drains the queue (the ``webhook_inbox``
  job) through the contract importer, the one write path;
* :mod:`.mapping` turns an event's payload into contract rows. It is deliberately
  minimal and local: the Zendesk, Intercom and Stripe sync connectors' mappings may
  replace it once they land.
"""
