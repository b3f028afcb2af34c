/// Small task files for the command-line tests, written into temporary task directories.
enum TaskFiles {
    static let clean = """
        # Review

        ```yaml
        name: Quick Review
        version: 2.1.0
        requirements:
          ticker: string
          amount: number
        ```

        ## Phase: Gather
        Collect the facts.

        ### Steps
        - Load the data

        ## Phase: Analysis
        dependsOn: Gather
        parallel: true

        ### Agents
        - quant-analyst
        - risk-manager

        ### Steps
        - agent: quant-analyst - Analyse {{input.ticker}}
        - agent: risk-manager - Size {{input.amount}}

        ## Phase: Research
        dependsOn: Gather

        ### Steps
        - Read the news

        ## Phase: Verdict
        dependsOn: Analysis, Research
        parallel: false

        ### Agents
        - committee-chair

        ### Steps
        - agent: committee-chair - Decide

        """

    /// An unknown dependency (a typo) and a two-phase cycle.
    static let broken = """
        # Broken

        ```yaml
        name: Broken
        ```

        ## Phase: Gather
        Collect the facts.

        ### Steps
        - Load the data

        ## Phase: Analysis
        dependsOn: Gathr, Debate

        ### Steps
        - Think

        ## Phase: Debate
        dependsOn: Analysis

        ### Steps
        - Argue

        """

    /// Only a warning: an agent listed but used by no step.
    static let warning = """
        # Warn

        ```yaml
        name: Warn
        ```

        ## Phase: Analysis

        ### Agents
        - quant-analyst
        - risk-manager

        ### Steps
        - agent: quant-analyst - Analyse

        """
}
