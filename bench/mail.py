"""The e-mail border of the benchmarks: each notice is built into the whole MIME message that
SMTP would carry, then dropped. Production refuses Django's non-delivering backends when
DEBUG is off (portal.settings); a local SMTP server in Python answers each message only after
TCP's delayed acknowledgement (about 40 ms), which a benchmark would count as the worker's
waiting. SMS goes to its local adapter (core.sms.LogSmsBackend) as in every environment."""

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            message.message().as_bytes()
        return len(email_messages)
