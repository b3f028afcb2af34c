/// The names of the built-in backends, as agent files, `--agents` and `TASKRUN_AGENTS` write them.
public enum AgentBackendName {
    /// Deterministic analysts computing from the input and the market snapshot. Needs nothing.
    public static let offline = "offline"
    /// Any OpenAI-compatible chat-completions endpoint.
    public static let openai = "openai"
    /// An external program, queried with JSON on stdin.
    public static let command = "command"

    /// The three built-in backends.
    public static let builtIn = [offline, openai, command]
}
