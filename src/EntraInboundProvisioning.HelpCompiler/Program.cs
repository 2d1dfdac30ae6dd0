using System;
using System.IO;
using System.Linq;

namespace EntraInboundProvisioning.HelpCompiler
{
    /// <summary>HelpCompiler &lt;docs/en-US folder&gt; &lt;output .dll-Help.xml&gt;: compiles every Verb-Noun.md page.</summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: HelpCompiler <folder of Verb-Noun.md pages> <output MAML file>");
                return 2;
            }

            try
            {
                HelpPage[] pages = Directory.GetFiles(args[0], "*-*.md").OrderBy(f => f, StringComparer.Ordinal).Select(HelpPage.Parse).ToArray();
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
                MamlWriter.Write(pages).Save(args[1]);
                Console.WriteLine($"Compiled {pages.Length} help page(s) into {args[1]}");
                return 0;
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        }
    }
}
