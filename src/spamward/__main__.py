from spamward.cli import main

main()
