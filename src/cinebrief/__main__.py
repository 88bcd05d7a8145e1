from cinebrief.cli.app import main

main()
