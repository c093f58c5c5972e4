"""Services own every query and commit; views, dialogs, jobs and the CLI call them."""
