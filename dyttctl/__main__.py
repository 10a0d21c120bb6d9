from dyttctl.cli import main

main()
