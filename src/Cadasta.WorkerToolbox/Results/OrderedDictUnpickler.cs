using System.Buffers.Binary;
using System.Collections;
using Razorvine.Pickle;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// Razorvine.Pickle's unpickler with Python's dict order kept. Razorvine builds every dict as a
/// <see cref="Hashtable"/> (hash order), sets a <c>SETITEMS</c> batch in reverse, and has no hook for
/// dicts: its only per-instance hook is <c>persistentLoad</c>, called by the <c>BINPERSID</c> opcode.
/// So, before loading, <see cref="Rewrite"/> turns the dict opcodes into persistent loads whose ids
/// say what to build:
/// <list type="bullet">
/// <item><c>EMPTY_DICT</c> → <c>'dict' BINPERSID</c>: a fresh <see cref="InsertionOrderedHashtable"/>;</item>
/// <item><c>DICT</c> (protocols 0-1: the items since the mark) → <c>LIST 'dict' TUPLE2 BINPERSID</c>: one holding those items;</item>
/// <item><c>SETITEMS</c> (the items since the mark, into the dict below it) → <c>LIST 'items' TUPLE2 BINPERSID NONE SETITEM</c>:
/// the items as one <see cref="InsertionOrderedHashtable.ItemBatch"/> key, which the dict sets in order.</item>
/// </list>
/// Razorvine then fills every dict in the pickle's order, which is the dict's insertion order.
/// <c>FRAME</c> opcodes (protocol 4+, an I/O hint Razorvine skips) are dropped because the rewrite
/// changes the frames' sizes. A pickle with persistent ids of its own is refused (Razorvine cannot
/// load those either).
/// </summary>
internal sealed class OrderedDictUnpickler : Unpickler
{
    private const byte Mark = (byte)'(';
    private const byte Stop = (byte)'.';
    private const byte None = (byte)'N';
    private const byte Dict = (byte)'d';
    private const byte EmptyDict = (byte)'}';
    private const byte SetItem = (byte)'s';
    private const byte SetItems = (byte)'u';
    private const byte List = (byte)'l';
    private const byte BinPersId = (byte)'Q';
    private const byte PersId = (byte)'P';
    private const byte Tuple2 = 0x86;
    private const byte ShortBinUnicode = 0x8c;
    private const byte Frame = 0x95;
    private const string DictId = "dict";
    private const string ItemsId = "items";

    private static readonly byte[] NewDict = [ShortBinUnicode, 4, .. "dict"u8, BinPersId];
    private static readonly byte[] DictFromItems = [List, ShortBinUnicode, 4, .. "dict"u8, Tuple2, BinPersId];
    private static readonly byte[] SetItemsInOrder = [List, ShortBinUnicode, 5, .. "items"u8, Tuple2, BinPersId, None, SetItem];

    /// <summary>Loads a pickle with every dict as an <see cref="InsertionOrderedHashtable"/>.</summary>
    public object? LoadOrdered(byte[] pickle) => loads(Rewrite(pickle));

    /// <summary>The pickle with its dict opcodes turned into persistent loads (see the class summary).</summary>
    public static byte[] Rewrite(ReadOnlySpan<byte> pickle)
    {
        var output = new List<byte>(pickle.Length + 16);
        var position = 0;
        while (position < pickle.Length)
        {
            var opcode = pickle[position];
            var length = 1 + ArgumentLength(pickle, position);
            switch (opcode)
            {
                case EmptyDict:
                    output.AddRange(NewDict);
                    break;
                case Dict:
                    output.AddRange(DictFromItems);
                    break;
                case SetItems:
                    output.AddRange(SetItemsInOrder);
                    break;
                case Frame:
                    break;
                case PersId or BinPersId:
                    throw new PickleException("The pickle refers to persistent ids, which a task result never has.");
                default:
                    output.AddRange(pickle.Slice(position, length));
                    break;
            }

            position += length;
            if (opcode == Stop)
            {
                break;
            }
        }

        return [.. output];
    }

    /// <summary>Called by <c>BINPERSID</c>, only for the ids the rewrite wrote (see the class summary).</summary>
    protected override object persistentLoad(object pid) => pid switch
    {
        DictId => new InsertionOrderedHashtable(),
        object[] { Length: 2 } pair when pair[0] is ArrayList items && pair[1] is DictId => InsertionOrderedHashtable.FromItems(items),
        object[] { Length: 2 } pair when pair[0] is ArrayList items && pair[1] is ItemsId => new InsertionOrderedHashtable.ItemBatch(items),
        _ => throw new PickleException("The pickle refers to persistent ids, which a task result never has."),
    };

    /// <summary>How many bytes follow the opcode at <paramref name="position"/> (pickletools' argument formats).</summary>
    private static int ArgumentLength(ReadOnlySpan<byte> pickle, int position)
    {
        var rest = pickle[(position + 1)..];
        return pickle[position] switch
        {
            // No argument.
            Mark or Stop or (byte)'0' or (byte)'1' or (byte)'2' or None or (byte)'R' or (byte)'a' or (byte)'b' or Dict or EmptyDict
                or (byte)'e' or List or (byte)']' or (byte)'o' or SetItem or (byte)'t' or (byte)')' or SetItems or BinPersId
                or 0x81 or 0x85 or Tuple2 or 0x87 or 0x88 or 0x89 or 0x8f or 0x90 or 0x91 or 0x92 or 0x93 or 0x94 or 0x97 or 0x98 => 0,

            // One text line: INT, LONG, FLOAT, STRING, UNICODE, GET, PUT, PERSID.
            (byte)'I' or (byte)'L' or (byte)'F' or (byte)'S' or (byte)'V' or (byte)'g' or (byte)'p' or PersId => Lines(rest, 1),

            // Two text lines: GLOBAL, INST (module and name).
            (byte)'c' or (byte)'i' => Lines(rest, 2),

            // Fixed sizes: BININT1, BINGET, BINPUT, PROTO, EXT1 / BININT2, EXT2 / BININT, LONG_BINGET, LONG_BINPUT, EXT4 / BINFLOAT, FRAME.
            (byte)'K' or (byte)'h' or (byte)'q' or 0x80 or 0x82 => Fixed(rest, 1),
            (byte)'M' or 0x83 => Fixed(rest, 2),
            (byte)'J' or (byte)'j' or (byte)'r' or 0x84 => Fixed(rest, 4),
            (byte)'G' or Frame => Fixed(rest, 8),

            // Length-prefixed: LONG1, SHORT_BINSTRING, SHORT_BINUNICODE, SHORT_BINBYTES / LONG4, BINSTRING,
            // BINUNICODE, BINBYTES / BINUNICODE8, BINBYTES8, BYTEARRAY8.
            0x8a or (byte)'U' or ShortBinUnicode or (byte)'C' => Prefixed(rest, 1),
            0x8b or (byte)'T' or (byte)'X' or (byte)'B' => Prefixed(rest, 4),
            0x8d or 0x8e or 0x96 => Prefixed(rest, 8),

            var unknown => throw new PickleException($"invalid pickle opcode: {unknown}"),
        };
    }

    private static int Fixed(ReadOnlySpan<byte> rest, int size) =>
        rest.Length >= size ? size : throw new PickleException("The pickle ends inside an opcode's argument.");

    private static int Prefixed(ReadOnlySpan<byte> rest, int prefix)
    {
        Fixed(rest, prefix);
        long size = prefix switch
        {
            1 => rest[0],
            4 => BinaryPrimitives.ReadInt32LittleEndian(rest),
            _ => BinaryPrimitives.ReadInt64LittleEndian(rest),
        };
        return size >= 0 && size <= rest.Length - prefix
            ? prefix + (int)size
            : throw new PickleException("The pickle ends inside an opcode's argument.");
    }

    private static int Lines(ReadOnlySpan<byte> rest, int count)
    {
        var length = 0;
        for (var line = 0; line < count; line++)
        {
            var end = rest[length..].IndexOf((byte)'\n');
            if (end < 0)
            {
                throw new PickleException("The pickle ends inside an opcode's argument.");
            }

            length += end + 1;
        }

        return length;
    }
}
