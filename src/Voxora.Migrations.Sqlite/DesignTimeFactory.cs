using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;

namespace Voxora.Migrations.Sqlite;

/// <summary>Used only by <c>dotnet ef migrations add … --project src/Voxora.Migrations.Sqlite</c>.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<VoxoraDbContext>
{
    public VoxoraDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<VoxoraDbContext>();
        DatabaseSetup.Configure(builder, DatabaseProvider.Sqlite, "Data Source=design-time.db");
        return new VoxoraDbContext(builder.Options);
    }
}
