"""Outbound IM: what every provider's transport shares.

Per provider (``channels/<provider>/``): ``transport.py`` sends direct messages to a
person's IM ID (the ``notifications`` outbox's transport for that channel, registered
by ``channels.apps`` with ``notifications.transports.register``) and plain answers to
the intake (``send_text``, behind ``channels.tasks.send_reply``); ``robot.py`` posts to
a group robot's webhook (``channels.robots``). ``message`` composes what they say,
``tokens`` caches app tokens, ``limits`` keeps a provider's rate-limit back-off, and
every call goes through ``channels.http`` (no private targets, no redirects).
"""
