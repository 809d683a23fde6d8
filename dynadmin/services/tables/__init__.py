"""Tables as the dashboard and the health report show them: DescribeTable's answer, briefly
cached (``summaries``) and typed once (``status``), and what the dashboard adds
(``dashboard``)."""
