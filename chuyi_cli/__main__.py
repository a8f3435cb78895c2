try:
    from chuyi_cli.interrupts import main
except KeyboardInterrupt:  # (before the handlers exist: say it as they would)
    import sys

    from chuyi_cli.i18n import say

    sys.stderr.write(say("interrupted") + "\n")
    sys.exit(130)

main()
