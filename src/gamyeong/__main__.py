from gamyeong.cli import main

main()
