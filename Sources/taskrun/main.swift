import TaskrunCLI

await TaskrunCommand.main()
