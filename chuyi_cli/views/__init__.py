"""What each command shows: core objects turned into tables, cards, mails and JSON values,
a module for each thing shown (the command line imports only the one it needs)."""
