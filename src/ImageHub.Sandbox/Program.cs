namespace ImageHub.Sandbox;

// Not top-level statements: the web app references this project and owns the global `Program`.
public static class SandboxProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();
        app.MapGet("/", () => "ImageHub sandbox");
        app.Run();
    }
}
