/** Parses PowerShell with the real grammar: web-tree-sitter and the wasm tree-sitter-powershell ships. */
import { Language, Node, Parser, Tree } from "web-tree-sitter";

let parser: Promise<Parser> | undefined;

function loadParser(): Promise<Parser> {
    parser ??= (async () => {
        await Parser.init();
        const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
        const p = new Parser();
        p.setLanguage(language);
        return p;
    })();
    return parser;
}

export async function parsePowerShell(source: string): Promise<Tree> {
    const tree = (await loadParser()).parse(source);
    if (!tree) throw new Error("tree-sitter returned no tree");
    return tree;
}

/** Every node of the tree, depth first. */
export function allNodes(root: Node): Node[] {
    const nodes: Node[] = [];
    const visit = (node: Node) => {
        nodes.push(node);
        for (const child of node.children) if (child) visit(child);
    };
    visit(root);
    return nodes;
}

/** "line:column text" of every ERROR or MISSING node: empty when the source is valid PowerShell. */
export function syntaxErrors(tree: Tree): string[] {
    return allNodes(tree.rootNode)
        .filter((n) => n.type === "ERROR" || n.isMissing)
        .map(
            (n) =>
                `${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.isMissing ? `missing ${n.type}` : JSON.stringify(n.text.slice(0, 60))}`,
        );
}
