"""Stripe billing: customers, subscriptions, invoices as contract rows (`csbot sync run stripe`)."""
