"""Tables as the dashboard shows them: DescribeTable's answer summarised and briefly cached."""
