from quartier.cli import main

main()
