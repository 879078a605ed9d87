using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// A family as a tree: each task under the task that sent it (its <c>parent_id</c>): chain steps under the
/// step before, chord members and the chord's callback under the task that started the chord.
/// <c>celery.chord_unlock</c> polls are left out (the platform ignores them too); whatever they sent hangs under
/// their own parent instead. A task whose parent is not in the family is a top-level node.
/// </summary>
internal sealed class FamilyTree
{
    private FamilyTree(IReadOnlyList<Node> roots, int hidden)
    {
        Roots = roots;
        HiddenChordUnlocks = hidden;
    }

    public IReadOnlyList<Node> Roots { get; }

    /// <summary>How many <c>celery.chord_unlock</c> records were left out.</summary>
    public int HiddenChordUnlocks { get; }

    public static FamilyTree Build(IReadOnlyList<TaskListItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var byId = new Dictionary<string, TaskListItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            byId.TryAdd(item.Task.Record.TaskId, item);
        }

        var shown = items.Where(item => !IsChordUnlock(item)).ToList();
        var nodes = shown.ToDictionary(item => item.Task.Record.TaskId, item => new Node(item), StringComparer.Ordinal);
        var roots = new List<Node>();
        foreach (var item in shown)
        {
            var parent = VisibleParent(item, byId);
            if (parent is not null && nodes.TryGetValue(parent, out var parentNode) && !ReferenceEquals(parentNode.Item, item))
            {
                parentNode.Children.Add(nodes[item.Task.Record.TaskId]);
            }
            else
            {
                roots.Add(nodes[item.Task.Record.TaskId]);
            }
        }

        // A parent cycle (only a broken producer makes one) would leave its tasks unreachable: show them at the top.
        var reachable = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>(roots);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (reachable.Add(node))
            {
                foreach (var child in node.Children)
                {
                    stack.Push(child);
                }
            }
        }

        foreach (var node in nodes.Values.Where(node => !reachable.Contains(node)))
        {
            foreach (var parentNode in nodes.Values)
            {
                parentNode.Children.Remove(node);
            }

            roots.Add(node);
        }

        return new FamilyTree(roots, items.Count - shown.Count);
    }

    private static bool IsChordUnlock(TaskListItem item) => item.Task.Record.TaskName == TaskFamily.ChordUnlockTaskName;

    /// <summary>The nearest ancestor that is not a chord_unlock poll.</summary>
    private static string? VisibleParent(TaskListItem item, Dictionary<string, TaskListItem> byId)
    {
        var parent = item.Task.Record.ParentId;
        for (var hops = 0; parent is not null && hops < 64; hops++)
        {
            if (!byId.TryGetValue(parent, out var parentItem) || !IsChordUnlock(parentItem))
            {
                return parent;
            }

            parent = parentItem.Task.Record.ParentId;
        }

        return parent;
    }

    internal sealed class Node(TaskListItem item)
    {
        public TaskListItem Item { get; } = item;

        public List<Node> Children { get; } = [];
    }
}
