"""The desk's notification e-mail: what it says (``render``), the headers that thread,
answer and unsubscribe it (``headers``), which ticket it is about (``about``), and the
signed one-click unsubscribe links (``unsubscribe``, ``views``). The transport
(``notifications.transports.email``) puts them together and sends."""
