from cinebrief.cli import main

main()
