from chuyi_cli.cli import main

main()
